import type { ErrorCode } from './protocol.js';

/** A failure: the gateway's error code (PROTOCOL.md section 2) or one of the client's own. */
export class GatewayError extends Error {
  constructor(public code: ErrorCode | string, message: string, public metaCode?: number, public details?: unknown) {
    super(message);
    this.name = 'GatewayError';
  }
}
