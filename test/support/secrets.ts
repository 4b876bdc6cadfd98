/**
 * Token-shaped samples, built at run time so no literal token sits in the repository. Each is
 * embedded inline in a sentence, as people paste them into notes.
 */
const x = (n: number, alphabet = 'aB3dE5gH7jK9mN1pQ2sT4vW6yZ8') => Array.from({ length: n }, (_, i) => alphabet[(i * 7 + n) % alphabet.length]).join('');
export const SECRET_SAMPLES: Record<string, string> = {
  'GitHub classic token': `ghp_${x(36)}`,
  'GitHub fine-grained token': `github_pat_${x(82)}`,
  'GitLab token': `glpat-${x(20)}`,
  'AWS access key id': `AKIA${x(16, 'ABCDEFGHJKLMNPQRSTUVWXYZ234567')}`,
  'OpenAI project key': `sk-proj-${x(74)}T3BlbkFJ${x(74)}`,
  'Slack bot token': `xoxb-${x(12, '0123456789')}-${x(13, '0123456789')}-${x(24)}`,
  'npm token': `npm_${x(36)}`,
  'Stripe key': `sk_live_${x(24)}`,
  'SendGrid key': `SG.${x(22)}.${x(43)}`,
  'Hugging Face token': `hf_${x(34, 'abcdefghijkLMNOPQRSTUVWxyz')}`,
  'Docker PAT': `dckr_pat_${x(27)}`,
  'Vault token': `hvs.${x(95)}`,
};
