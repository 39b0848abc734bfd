// The Kind contract lives in core (core/kind.ts): core declares it, kinds implement it.
export * from '../core/kind.js';
