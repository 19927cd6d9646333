// Per-policy L7 settings (`policy({ ..., l7: { window: 256, unparseable: 'deny', violation: 'reset' } })`).

export interface L7SettingsInput {
  /** bytes of a request the datapath looks at, from its start (default 256; a power of two from 64 to 1024) */
  readonly window?: number;
  /** what happens to a request that cannot be parsed (chunked, split across segments, beyond the window, TLS,
   * unknown Kafka version): always counted (default 'deny') */
  readonly unparseable?: 'allow' | 'deny';
  /** how a denied request is answered: the segment dropped, or the connection reset by a TCP RST (default 'drop') */
  readonly violation?: 'drop' | 'reset';
}

export const DEFAULT_L7_SETTINGS = { window: 256, unparseable: 'deny', violation: 'drop' } as const satisfies Required<L7SettingsInput>;
