export { IVSIM_VERSION } from './version.ts';
