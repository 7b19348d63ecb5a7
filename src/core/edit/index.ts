export * from './edit';
export * from './ops';
