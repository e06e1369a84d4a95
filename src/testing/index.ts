/**
 * Test helpers: `gradCheck` (finite-difference gradient check on any backend) and `seededRandom`.
 *
 * @module tfjs-angular-margin/testing
 */
export { gradCheck, type GradCheckOptions, type GradCheckResult } from './grad_check.js';
export { seededRandom } from '../util/seeded_random.js';
