// The machine plan: the Plan itself as JSON (schemas/plan.schema.json, built by core/plan/plan-json.ts),
// 2-space indent, trailing newline. The human text can be rendered back from this form.

import type { Plan } from '../core/model.js';
import { planToJson } from '../core/plan/plan-json.js';

export function renderJson(plan: Plan): string {
  return JSON.stringify(planToJson(plan), null, 2) + '\n';
}
