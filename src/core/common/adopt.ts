/** What names another destination, by sink type. */
const OTHER: Record<'file' | 'kubernetes' | 's3', string> = { file: 'path', kubernetes: 'name', s3: 'key' };

/** The fix for a destination that exists and was not written by vault-gitops (the same at plan time and in a refused write). */
export function adoptHint(type: 'file' | 'kubernetes' | 's3'): string {
  return `set credentials.${type}.adopt: true to take it over, or choose another ${OTHER[type]}`;
}
