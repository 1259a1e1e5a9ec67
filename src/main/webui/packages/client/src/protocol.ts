// The wire contract (shared PROTOCOL.md) as types: every client and server event with its payload.
// Types only: nothing here reaches the bundle. test/protocol.test.ts checks the lists in events.ts,
// which are tied to these maps, against PROTOCOL.md itself.

export type Iso = string;
export type MessageStatus = 'received' | 'pending' | 'sent' | 'delivered' | 'read' | 'played' | 'failed';
export type ErrorCode =
  | 'bad_request' | 'unknown_event' | 'unauthorized' | 'forbidden' | 'not_found' | 'rate_limited'
  | 'payload_too_large' | 'outside_window' | 'whatsapp_error' | 'unavailable' | 'internal'
  // of the REST API only (POST /api/media, PROTOCOL.md 6.4):
  | 'unsupported_media_type'
  // produced by this client, never by the server:
  | 'timeout' | 'disconnected' | 'closed' | 'aborted';

/** Meta's media types (PROTOCOL.md 6.4). */
export type MediaType = 'image' | 'audio' | 'video' | 'document' | 'sticker';
/** `pending`: the gateway is fetching it from Meta; `unavailable`: Meta no longer has it, or the fetch failed for good. */
export type MediaStatus = 'pending' | 'available' | 'unavailable';
/**
 * A message's media (PROTOCOL.md 6.4). `url` is relative to the gateway (`/api/media/{id}?sig=...`),
 * signed afresh each time the message is read or pushed: usable as it is in `<img src>`, `<audio>`,
 * `<video>` and `<a download>` on the gateway's origin (elsewhere: `client.mediaUrl(media)`). A change
 * of `status` comes as `message_updated` with the whole message.
 */
export interface Media { id: string; mimeType: string; filename?: string; caption?: string; size?: number; sha256?: string;
  status: MediaStatus; url: string }
/** What `send_message` takes as `media`: an uploaded `mediaId` (or a Meta media id). */
export interface OutgoingMedia { id: string; caption?: string; filename?: string }
/** The answer of `POST /api/media` (`201`), plus the media type it was uploaded as. */
export interface UploadedMedia { mediaId: string; mimeType: string; size: number; filename?: string; type: MediaType }
export interface Template { name: string; language: string | { code: string }; components?: unknown[] }
export interface Reaction { messageId: string; emoji: string }
export interface Location { latitude: number; longitude: number; name?: string; address?: string }

export interface Message {
  id: string; conversationId: string; waMessageId?: string; clientMessageId?: string;
  direction: 'inbound' | 'outbound'; isOutgoing: boolean; from: string; to: string; type: string; content?: string;
  media?: Media; template?: Template; reaction?: Reaction; location?: Location; extra?: unknown; replyTo?: string;
  status: MessageStatus; error?: unknown; sentBy?: string; timestamp: Iso;
}
export interface Conversation {
  id: string; contact: { id: string; waId: string; name?: string }; businessNumber: string; phoneNumberId: string;
  assignee?: string; status: 'open' | 'closed'; unreadCount: number; lastMessage?: Message; lastInboundAt?: Iso;
  windowOpen: boolean; updatedAt: Iso;
}
export interface Contact { id: string; waId: string; phoneNumber: string; name?: string; lastMessageAt?: Iso }
export interface Agent { agentId: string; name?: string; status: string; online: boolean }
export interface ConnectionStatus { connected: boolean; connectionState: string; phoneNumber?: string; verifiedName?: string;
  qualityRating?: string; canSendMessage: boolean; checkedAt?: Iso; phoneNumberId?: string }
export interface NumberInfo { phoneNumberId: string; displayPhoneNumber: string; verifiedName?: string; connected: boolean;
  connectionState: string; qualityRating?: string; canSendMessage: boolean; default: boolean }

export interface SendMessageData {
  to: string; message?: string;
  type?: 'text' | 'template' | MediaType | 'reaction' | 'location';
  conversationId?: string; clientMessageId?: string; replyTo?: string; template?: Template; media?: OutgoingMedia;
  reaction?: Reaction; location?: Location; from?: string;
}

/** Client -> server: event name -> `data`. */
export interface ClientEventMap {
  get_contacts: { search?: string; limit?: number; cursor?: string };
  get_conversations: { limit?: number; cursor?: string; status?: 'open' | 'closed'; assignedTo?: string; phoneNumberId?: string };
  get_messages: { conversationId: string; limit?: number; before?: string };
  get_messages_between: { fromNumber: string; toNumber: string; limit?: number; offset?: number };
  get_agents: Record<string, never>;
  get_qr_code: { forceNew?: boolean; prefilledMessage?: string; phoneNumberId?: string };
  get_connection_status: { phoneNumberId?: string };
  get_numbers: Record<string, never>;
  get_templates: { phoneNumberId?: string; search?: string };
  send_message: SendMessageData;
  join_conversation: { conversationId: string };
  leave_conversation: { conversationId: string };
  join_general: Record<string, never>;
  join_customer: { customerId: string };
  leave_customer: { customerId: string };
  typing_start: { conversationId: string };
  typing_stop: { conversationId: string };
  message_read: { conversationId: string; messageId: string };
  agent_status_update: { status: 'available' | 'busy' | 'away' };
  assign_chat: { conversationId: string; agentId: string };
  update_conversation: { conversationId: string; status: 'open' | 'closed' };
  authenticate: { token: string };
  resume: { lastSeq: number };
  ping: Record<string, never>;
}

export interface Joined { room: string; lastSeq?: number }
export interface Resumed { recovered: boolean; replayed: number; lastSeq: number }

/** Server -> client: event name -> `data` (for answers: the inner `data` of `{success: true, data}`). */
export interface ServerEventMap {
  // durable (carry seq)
  new_message: Message;
  message_updated: Message;
  message_status_update: { messageId: string; waMessageId?: string; conversationId: string; status: MessageStatus; timestamp: Iso; error?: unknown };
  message_read_receipt: { messageId: string; conversationId: string; readBy: string; timestamp: Iso };
  conversation_updated: Conversation;
  chat_assigned: { conversationId: string; customerInfo: unknown; assignedBy: string; timestamp: Iso };
  // ephemeral
  user_typing: { userId: string; conversationId: string; timestamp: Iso };
  user_stop_typing: { userId: string; conversationId: string; timestamp: Iso };
  user_online: { userId: string; timestamp: Iso };
  user_offline: { userId: string; timestamp: Iso };
  presence_changed: { online: string[]; offline: string[]; timestamp: Iso };
  agent_status_changed: { agentId: string; status: string; timestamp: Iso };
  whatsapp_status_update: ConnectionStatus;
  error: { code: ErrorCode; message: string };
  // answers
  contacts_response: Contact[];
  conversations_response: Conversation[];
  messages_response: Message[];
  messages_between_response: Message[];
  agents_response: Agent[];
  qr_code_response: { code: string; prefilledMessage?: string; deepLinkUrl: string; qrImageUrl: string };
  connection_status: ConnectionStatus;
  numbers_response: NumberInfo[];
  templates_response: Template[];
  message_sent: { messageId: string; clientMessageId: string; status: 'pending' };
  message_sent_success: { messageId: string; waMessageId: string; timestamp: Iso };
  message_send_error: { messageId?: string };
  joined_conversation: Joined & { conversationId: string };
  left_conversation: Joined & { conversationId: string };
  general_joined: Joined;
  customer_joined: Joined & { customerId: string };
  customer_left: Joined & { customerId: string };
  conversation_updated_response: { conversation: Conversation };
  authenticated: { userId: string; tenant: string; expiresAt: Iso };
  auth_error: { message: string };
  resumed: Resumed;
  pong: { timestamp: Iso };
}

/** What a request resolves to (requests without an answer event resolve `undefined` once sent). */
export interface RequestResultMap {
  get_contacts: Contact[]; get_conversations: Conversation[]; get_messages: Message[];
  get_messages_between: Message[]; get_agents: Agent[]; get_qr_code: ServerEventMap['qr_code_response'];
  get_connection_status: ConnectionStatus; get_numbers: NumberInfo[]; get_templates: Template[];
  send_message: ServerEventMap['message_sent']; join_conversation: ServerEventMap['joined_conversation'];
  leave_conversation: ServerEventMap['left_conversation']; join_general: Joined;
  join_customer: ServerEventMap['customer_joined']; leave_customer: ServerEventMap['customer_left'];
  typing_start: void; typing_stop: void; message_read: void; agent_status_update: void; assign_chat: void;
  update_conversation: { conversation: Conversation }; authenticate: ServerEventMap['authenticated'];
  resume: Resumed; ping: { timestamp: Iso };
}

/** A frame from the server: the discriminated union of every server event. */
export type ServerFrame = {
  [E in keyof ServerEventMap]: { event: E; requestId?: string; seq?: number; data: ServerEventMap[E] }
}[keyof ServerEventMap];
/** A frame to the server: the discriminated union of every client event. */
export type ClientFrame = {
  [E in keyof ClientEventMap]: { event: E; requestId?: string; data: ClientEventMap[E] }
}[keyof ClientEventMap];

/** Events the client itself emits, beside the server's. */
export type State = 'connecting' | 'open' | 'reconnecting' | 'closed';
export interface LocalEventMap {
  state: State;
  resumed: Resumed;
  reload: undefined;
  /** The server said the user or tenant is disabled (4403), or the token cannot be refreshed: no reconnect. */
  closed: { code: number; reason: string };
}
