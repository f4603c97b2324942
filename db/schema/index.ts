export * from './catalog';
export * from './parties';
export * from './billing';
export * from './scenarios';
export * from './billing-runs';
export * from './notifications';
export * from './licensing';
export * from './discounts';
