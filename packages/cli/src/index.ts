export { buildProgram, main } from './main.ts';
export { formatTable } from './table.ts';
