export * from './collector/collector.ts';
export * from './message-producer.ts';
export { generateHistory } from './simulator/history.ts';
export * from './collector/publish-batch.ts';
