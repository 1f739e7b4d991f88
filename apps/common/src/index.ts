export * from './chat-message';
export * from './jwt';
