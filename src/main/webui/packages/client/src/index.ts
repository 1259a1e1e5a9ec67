export { GatewayClient, GatewayError, tokenExpiry } from './client.js';
export type { GatewayClientOptions, Page, RequestOptions, SendHandle, SocketFactory, SocketLike } from './client.js';
export { MEDIA_LIMITS, MediaError, checkMedia, mediaTypeOf } from './media.js';
export type { UploadOptions } from './media.js';
export { memoryStorage, indexedDbStorage } from './storage.js';
export type { GatewayStorage } from './storage.js';
export type * from './protocol.js';
