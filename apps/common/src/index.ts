export * from './chat-message';
export * from './jwt';
export * from './redis';
