export * from './collector/collector.ts';
export * from './message-producer.ts';
