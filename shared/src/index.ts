export * from './config.ts';
export * from './events.ts';
export * from './wall.ts';
