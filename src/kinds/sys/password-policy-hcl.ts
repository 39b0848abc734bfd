// What Vault checks when a password policy is written, offline: `length` (4 to 100) and at least one
// `rule "charset"` with a non-empty charset, whose min-chars fit in the length.
import { parseHcl, type HclItem, type HclProblem } from '../../core/check/hcl.js';
import { didYouMean } from '../../core/common/suggest.js';

const TOP = ['length', 'rule'];
const CHARSET = ['charset', 'min-chars'];

function numberOf(item: HclItem | undefined): number | undefined {
  return item?.value.type === 'number' ? item.value.value : undefined;
}

export function checkPasswordPolicyHcl(text: string): HclProblem[] {
  const { items, error } = parseHcl(text);
  if (error) return [error];
  const out: HclProblem[] = [];
  const at = (item: HclItem) => item.keys[0]!.pos;
  let length: number | undefined;
  let minTotal = 0;
  let charsets = 0;
  for (const item of items) {
    const key = item.keys[0]!.name;
    if (!TOP.includes(key)) {
      out.push({ ...at(item), message: `unknown key \`${key}\`${didYouMean(key, TOP)}`, hint: 'a password policy has `length` and `rule "charset" { … }` blocks' });
    } else if (key === 'length') {
      length = numberOf(item);
      if (length === undefined || !Number.isInteger(length) || length < 4 || length > 100) out.push({ ...item.value.pos, message: 'length must be a whole number from 4 to 100' });
    } else if (item.keys[1]?.name !== 'charset' || item.value.type !== 'object') {
      out.push({ ...at(item), message: 'a rule must be `rule "charset" { charset = "…" min-chars = N }`' });
    } else {
      charsets++;
      const fields = new Map(item.value.items.map((i) => [i.keys[0]!.name, i]));
      for (const i of item.value.items) if (!CHARSET.includes(i.keys[0]!.name)) out.push({ ...at(i), message: `unknown key \`${i.keys[0]!.name}\` in a charset rule${didYouMean(i.keys[0]!.name, CHARSET)}` });
      const charset = fields.get('charset');
      if (charset?.value.type !== 'string' || charset.value.value === '') out.push({ ...(charset ? charset.value.pos : at(item)), message: 'a charset rule needs a non-empty `charset` string' });
      const min = fields.get('min-chars');
      if (min !== undefined) {
        const n = numberOf(min);
        if (n === undefined || !Number.isInteger(n) || n < 0) out.push({ ...min.value.pos, message: 'min-chars must be a whole number, 0 or more' });
        else minTotal += n;
      }
    }
  }
  if (!items.some((i) => i.keys[0]!.name === 'length')) out.push({ line: 1, col: 1, message: 'a password policy needs `length`' });
  if (charsets === 0) out.push({ line: 1, col: 1, message: 'a password policy needs at least one `rule "charset"`' });
  if (length !== undefined && minTotal > length) out.push({ line: 1, col: 1, message: `the charset rules ask for ${minTotal} characters, more than length (${length})` });
  return out;
}
