/** The estate, part by part, in the order they are made (policies first: roles name them). */
import { approle, kvMount, pki, policies, userpass } from './core-kinds.js';
import type { EstatePart } from './part.js';

export const ESTATE: EstatePart[] = [policies, userpass, approle, kvMount, pki];
