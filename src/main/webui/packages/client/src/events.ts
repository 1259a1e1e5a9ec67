// The names of every event, as values, for tests and tools. Not imported by index.ts, so it
// costs the bundle nothing. The `satisfies` clauses and the two checks below tie the lists to the
// type maps in both directions, so a map and its list cannot drift apart.
import type { ClientEventMap, ServerEventMap } from './protocol.js';

export const CLIENT_EVENTS = [
  'get_contacts', 'get_conversations', 'get_messages', 'get_messages_between', 'get_agents', 'get_qr_code',
  'get_connection_status', 'get_numbers', 'get_templates', 'send_message', 'join_conversation',
  'leave_conversation', 'join_general', 'join_customer', 'leave_customer', 'typing_start', 'typing_stop',
  'message_read', 'agent_status_update', 'assign_chat', 'update_conversation', 'authenticate', 'resume', 'ping',
] as const satisfies readonly (keyof ClientEventMap)[];

export const SERVER_EVENTS = [
  'new_message', 'message_updated', 'message_status_update', 'message_read_receipt', 'conversation_updated',
  'chat_assigned', 'user_typing', 'user_stop_typing', 'user_online', 'user_offline', 'presence_changed',
  'agent_status_changed', 'whatsapp_status_update', 'error', 'contacts_response', 'conversations_response',
  'messages_response', 'messages_between_response', 'agents_response', 'qr_code_response', 'connection_status',
  'numbers_response', 'templates_response', 'message_sent', 'message_sent_success', 'message_send_error',
  'joined_conversation', 'left_conversation', 'general_joined', 'customer_joined', 'customer_left',
  'conversation_updated_response', 'authenticated', 'auth_error', 'resumed', 'pong',
] as const satisfies readonly (keyof ServerEventMap)[];

/** Durable events carry `seq` (PROTOCOL.md, server -> client table, and 6.4 for message_updated). */
export const DURABLE_EVENTS = [
  'new_message', 'message_updated', 'message_status_update', 'message_read_receipt', 'conversation_updated',
  'chat_assigned',
] as const satisfies readonly (keyof ServerEventMap)[];

type Missing<M, L extends readonly string[]> = Exclude<keyof M, L[number]>;
// Compile errors here mean an event is in a map but not in its list.
export const clientListComplete: [Missing<ClientEventMap, typeof CLIENT_EVENTS>] extends [never] ? true : false = true;
export const serverListComplete: [Missing<ServerEventMap, typeof SERVER_EVENTS>] extends [never] ? true : false = true;
