// React bindings (`@wagateway/client/react`). React is a peer dependency: imported, never bundled,
// and not part of the 6 kB core entry. Room joins go through the client's counted joins, so a
// StrictMode mount/unmount/mount neither leaves nor joins twice.
import { createContext, createElement, useContext, useEffect, useState, type ReactNode } from 'react';
import { GatewayClient, type GatewayClientOptions } from './client.js';
import type { ClientEventMap, Conversation, Message } from './protocol.js';

const Context = createContext<GatewayClient | null>(null);

/** Makes `client` the one that `useConversation` and `useConversations` use below it. */
export function GatewayProvider(props: { client: GatewayClient; children?: ReactNode }) {
  return createElement(Context.Provider, { value: props.client }, props.children);
}

/**
 * Without arguments: the client of the nearest GatewayProvider. With options: one client for the
 * component's lifetime, connected while mounted (StrictMode's extra unmount closes and reconnects it).
 */
export function useGatewayClient(options?: GatewayClientOptions): GatewayClient {
  const fromContext = useContext(Context);
  const [own] = useState(() => (options ? new GatewayClient(options) : null));
  useEffect(() => {
    if (!own) return;
    own.connect();
    return () => own.close();
  }, [own]);
  const client = own ?? fromContext;
  if (!client) throw new Error('useGatewayClient: no options and no GatewayProvider');
  return client;
}

function useClient(client?: GatewayClient) {
  const fromContext = useContext(Context); // always called: hooks must not be conditional
  const c = client ?? fromContext;
  if (!c) throw new Error('no client: pass one or render a GatewayProvider');
  return c;
}

export interface Loaded<T> { data: T; loading: boolean; error: unknown }

/** A conversation's messages: joined while mounted, loaded with get_messages, kept live; reloaded on `reload`. */
export function useConversation(conversationId: string | null | undefined, client?: GatewayClient): Loaded<Message[]> {
  const gateway = useClient(client);
  const [state, setState] = useState<Loaded<Message[]>>({ data: [], loading: true, error: null });
  useEffect(() => {
    if (!conversationId) return;
    let live = true;
    const load = () => gateway.request('get_messages', { conversationId }).then(
      (data) => live && setState({ data, loading: false, error: null }),
      (error) => live && setState((s) => ({ ...s, loading: false, error })));
    const upsert = (m: Message) => m.conversationId === conversationId && setState((s) => {
      const i = s.data.findIndex((x) => x.id === m.id);
      const data = i < 0 ? [...s.data, m] : s.data.map((x, j) => (j === i ? m : x));
      return { ...s, data };
    });
    const offs = [
      gateway.on('new_message', upsert),
      gateway.on('message_updated', upsert),
      gateway.on('message_status_update', (u) => u.conversationId === conversationId && setState((s) => ({
        ...s, data: s.data.map((m) => (m.id === u.messageId ? { ...m, status: u.status } : m)),
      }))),
      gateway.on('reload', load),
    ];
    gateway.joinConversation(conversationId).catch((error) => live && setState((s) => ({ ...s, error })));
    load();
    return () => {
      live = false;
      offs.forEach((off) => off());
      gateway.leaveConversation(conversationId).catch(() => {});
    };
  }, [gateway, conversationId]);
  return state;
}

/** The conversation list for `filter`, kept current by `conversation_updated` (needs the general room). */
export function useConversations(filter: ClientEventMap['get_conversations'] = {}, client?: GatewayClient): Loaded<Conversation[]> {
  const gateway = useClient(client);
  const [state, setState] = useState<Loaded<Conversation[]>>({ data: [], loading: true, error: null });
  const key = JSON.stringify(filter);
  useEffect(() => {
    let live = true;
    const load = () => gateway.request('get_conversations', JSON.parse(key) as ClientEventMap['get_conversations']).then(
      (data) => live && setState({ data, loading: false, error: null }),
      (error) => live && setState((s) => ({ ...s, loading: false, error })));
    const offs = [
      gateway.on('conversation_updated', (conv) => setState((s) => {
        const f = JSON.parse(key) as ClientEventMap['get_conversations'];
        const rest = s.data.filter((x) => x.id !== conv.id);
        const fits = (!f.status || conv.status === f.status) && (!f.assignedTo || conv.assignee === f.assignedTo)
          && (!f.phoneNumberId || conv.phoneNumberId === f.phoneNumberId);
        return { ...s, data: fits ? [conv, ...rest] : rest }; // newest activity first
      })),
      gateway.on('reload', load),
    ];
    gateway.joinGeneral().catch(() => {});
    load();
    return () => {
      live = false;
      offs.forEach((off) => off());
    };
  }, [gateway, key]);
  return state;
}
