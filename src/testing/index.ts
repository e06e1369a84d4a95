export { gradCheck, type GradCheckOptions, type GradCheckResult } from './grad_check.js';
export { seededRandom } from '../util/seeded_random.js';
