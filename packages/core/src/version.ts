export const IVSIM_VERSION = '0.1.0';
