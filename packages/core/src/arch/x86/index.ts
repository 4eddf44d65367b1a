export * from './apicv.ts';
export * from './bitmap.ts';
export * from './eli.ts';
export * from './lapic.ts';
export * from './pi-desc.ts';
