export * from './model';
export * from './instance-types';
export * from './sources';
