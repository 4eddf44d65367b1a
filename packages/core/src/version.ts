/** This ivsim's version, written as `ivsim` in every results object. */
export const IVSIM_VERSION = '0.1.0';
