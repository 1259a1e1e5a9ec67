export { GatewayClient, GatewayError, tokenExpiry } from './client.js';
export type { GatewayClientOptions, Page, RequestOptions, SendHandle, SocketFactory, SocketLike } from './client.js';
export { memoryStorage, indexedDbStorage } from './storage.js';
export type { GatewayStorage } from './storage.js';
export type * from './protocol.js';
