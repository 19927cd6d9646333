// What an L7 matcher concludes about one request at the start of a TCP payload. The reference judges
// (judgeHttp, judgeKafka) return it; the generated C mirrors it as rule + 1 / 0 / -1 with `next` set alongside.

/** The verdict of one request: which rule matched (0-based), none, or the matcher could not see enough. */
export type L7Judgement =
  | { kind: 'match'; rule: number /* 0-based index into rules */; next: number /* bytes from request start to the next request, 0 = unknown */ }
  | { kind: 'no-match'; next: number }
  | { kind: 'cannot-see'; reason: string };
