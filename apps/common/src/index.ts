export * from './chat-message';
export * from './jwt';
export * from './redis';
export * from './env';
export * from './logger';
export * from './metrics';
export * from './postgres';
export * from './search';
