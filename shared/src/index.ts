export * from './config.ts';
export * from './events.ts';
export * from './wall.ts';
export * from './topics.ts';
export * from './collector-answer.ts';
export * from './time-zone.ts';
export * from './kpis/revenue.ts';
export * from './kpis/product-usage.ts';
