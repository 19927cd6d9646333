// The verifier: kernel-faithful, offline. Domains (how values are tracked), assertions (what each instruction
// requires), exploration (worklist, pruning, limits), profiles (limits and privileges as data).
export { verify, verifyAll, type VerifyError, type VerifyOptions, type VerifyReport } from './verify.ts';
export { PROFILES, DEFAULT_PROFILE, profileByName, type Profile } from './profiles.ts';
