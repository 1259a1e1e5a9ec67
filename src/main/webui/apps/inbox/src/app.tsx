import { Component, type ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { mediaTypeOf, type Conversation, type Template } from '@wagateway/client';
import { Inbox, preview } from './inbox.js';
import { displayName, type AssignFilter, type Msg } from './store.js';
import { dayKey, dayLabel, hueOf, initials, listTime, timeOf } from './format.js';
import { unlockAudio } from './notify.js';
import {
  attach, dragHasFiles, fileMeta, fileOf, formatSize, mediaNoun, mediaView, refusalText, takesCaption, type Attachment,
} from './media.js';
import {
  IconBack, IconBell, IconClip, IconChat, IconPeople, IconBellOff, IconClose, IconKeys, IconLogout, IconMoon, IconQr, IconReply, IconSend, IconSmile,
  IconSun, StatusIcon,
} from './icons.js';

const ROW = 72; // px, one conversation row (the list is virtualized on it)
const MAX_TEXT = 4096;
const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

/** Re-renders on every (coalesced) change of the inbox. */
function useInbox(inbox: Inbox) {
  const [, bump] = useState(0);
  useEffect(() => inbox.subscribe(() => bump((n) => n + 1)), [inbox]);
}

/** A pure component: re-renders only when a prop changed (shallow). */
abstract class Pure<P> extends Component<P> {
  shouldComponentUpdate(next: P) {
    const a = this.props as Record<string, unknown>;
    const b = next as Record<string, unknown>;
    for (const k in b) if (a[k] !== b[k]) return true;
    for (const k in a) if (!(k in b)) return true;
    return false;
  }
}

// ---------------------------------------------------------------- theme

export type Theme = 'light' | 'dark';
const THEME_KEY = 'wagateway-inbox:theme';
function systemTheme(): Theme {
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
function useTheme(): [Theme, () => void] {
  const stored = () => { try { return localStorage.getItem(THEME_KEY) as Theme | null; } catch { return null; } };
  const [theme, setTheme] = useState<Theme>(() => stored() ?? systemTheme());
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const follow = () => { if (!stored()) setTheme(systemTheme()); };
    mq.addEventListener('change', follow);
    return () => mq.removeEventListener('change', follow);
  }, []);
  const toggle = () => setTheme((t) => {
    const next = t === 'dark' ? 'light' : 'dark';
    try { localStorage.setItem(THEME_KEY, next); } catch { /* private mode */ }
    document.documentElement.dataset.theme = next; // at once, not after the next paint
    return next;
  });
  return [theme, toggle];
}

export function ThemeButton({ theme, toggle }: { theme: Theme; toggle: () => void }) {
  return (
    <button type="button" class="icon-btn" aria-pressed={theme === 'dark'} aria-label="Dark theme"
      title={theme === 'dark' ? 'Light theme' : 'Dark theme'} onClick={toggle}>
      {theme === 'dark' ? <IconSun /> : <IconMoon />}
    </button>
  );
}

// ---------------------------------------------------------------- sign-in

export function SignIn({ onSignIn, error }: { onSignIn: (name: string, role: 'agent' | 'supervisor' | 'admin') => void; error?: string }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<'agent' | 'supervisor' | 'admin'>('agent');
  const [busy, setBusy] = useState(false);
  const [theme, toggle] = useTheme();
  useEffect(() => { if (error) setBusy(false); }, [error]);
  return (
    <main class="signin">
      <div class="signin-top"><ThemeButton theme={theme} toggle={toggle} /></div>
      <form class="signin-card" onSubmit={(e) => {
        e.preventDefault();
        if (!name.trim()) return;
        setBusy(true);
        onSignIn(name.trim(), role);
      }}>
        <div class="logo" aria-hidden="true">✆</div>
        <h1>WhatsApp gateway inbox</h1>
        <p class="muted">Sandbox mode: sign in as anyone. Open another tab to be a second agent.</p>
        <label class="field">
          <span>Name</span>
          <input type="text" name="name" autocomplete="name" required value={name} autoFocus
            onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <fieldset class="roles">
          <legend>Role</legend>
          {(['agent', 'supervisor', 'admin'] as const).map((r) => (
            <label key={r} class="radio">
              <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} />
              <span>{r[0]!.toUpperCase() + r.slice(1)}</span>
            </label>
          ))}
        </fieldset>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}

export function Message({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <main class="signin">
      <div class="signin-card">
        <div class="logo" aria-hidden="true">✆</div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

// ---------------------------------------------------------------- the inbox

export function InboxView({ inbox, onSignOut }: { inbox: Inbox; onSignOut?: () => void }) {
  useInbox(inbox);
  const [theme, toggleTheme] = useTheme();
  const [dialog, setDialog] = useState<null | 'qr' | 'keys' | 'templates'>(null);
  const [showAgents, setShowAgents] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const selected = inbox.selectedId ? inbox.conversations.get(inbox.selectedId) : undefined;
  const list = inbox.conversations.filtered(inbox.filter, inbox.me.userId);

  useEffect(() => {
    const n = inbox.conversations.unreadTotal();
    const title = (n ? `(${n}) ` : '') + 'Inbox · WhatsApp gateway';
    if (document.title !== title) document.title = title;
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      const typing = target.closest('input, textarea, select, [contenteditable]');
      if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
        e.preventDefault();
        const ids = inbox.conversations.filtered(inbox.filter, inbox.me.userId).map((c) => c.id);
        const i = inbox.selectedId ? ids.indexOf(inbox.selectedId) : -1;
        const next = ids[Math.max(0, Math.min(ids.length - 1, i + (e.key === 'ArrowUp' ? -1 : 1)))];
        if (next) inbox.select(next);
      } else if (e.key === 'Escape') {
        setDialog(null);
      } else if (!typing && e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
      } else if (!typing && e.key === '?') {
        e.preventDefault();
        setDialog((d) => (d === 'keys' ? null : 'keys'));
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [inbox]);

  const count = list.length;
  const notifyOn = !inbox.notifier.muted;
  return (
    <div class="app" data-view={selected ? 'thread' : 'list'} onClick={unlockAudio}>
      {inbox.state !== 'open' && (
        <div role="status" class="banner">
          {inbox.state === 'closed' ? 'Disconnected: this account cannot connect.'
            : inbox.everConnected ? 'Reconnecting…' : 'Connecting…'}
        </div>
      )}
      <section class="side" aria-label="Chats">
        <h1 class="sr-only">Inbox</h1>
        <header class="side-head">
          <div class="me">
            <Avatar name={inbox.me.name} />
            <div class="me-text">
              <strong>{inbox.me.name}</strong>
              <label class="status-select">
                <span class="sr-only">My status</span>
                <select aria-label="My status" value={inbox.myStatus}
                  onChange={(e) => inbox.setMyStatus((e.target as HTMLSelectElement).value as 'available')}>
                  <option value="available">Available</option>
                  <option value="busy">Busy</option>
                  <option value="away">Away</option>
                </select>
              </label>
            </div>
          </div>
          <div class="head-actions">
            <button type="button" class="icon-btn" aria-label="Agents" aria-pressed={showAgents} title="Agents"
              onClick={() => setShowAgents((s) => !s)}><IconPeople /></button>
            <button type="button" class="icon-btn" aria-label="QR code" title="QR code" onClick={() => setDialog('qr')}><IconQr /></button>
            <button type="button" class="icon-btn" aria-pressed={notifyOn} aria-label="Notifications" title={notifyOn ? 'Mute' : 'Notify me'}
              onClick={async () => { if (notifyOn) inbox.notifier.setMuted(true); else await inbox.notifier.enable(); inbox.changedNow(); }}>
              {notifyOn ? <IconBell /> : <IconBellOff />}
            </button>
            <ThemeButton theme={theme} toggle={toggleTheme} />
            <button type="button" class="icon-btn" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)"
              onClick={() => setDialog('keys')}><IconKeys /></button>
            {onSignOut && <button type="button" class="icon-btn" aria-label="Sign out" title="Sign out" onClick={onSignOut}><IconLogout /></button>}
          </div>
        </header>
        <NumberBar inbox={inbox} />
        {showAgents && <AgentsPanel inbox={inbox} />}
        <div class="search">
          <input ref={searchRef} type="search" aria-label="Search conversations" placeholder="Search by name or number"
            value={inbox.filter.search} onInput={(e) => inbox.setFilter({ search: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="filters">
          <div role="group" aria-label="Assignment" class="chips">
            {(['mine', 'unassigned', 'all'] as AssignFilter[]).map((a) => (
              <button type="button" key={a} class="chip" aria-pressed={inbox.filter.assign === a}
                onClick={() => inbox.setFilter({ assign: a })}>{a === 'mine' ? 'Mine' : a === 'unassigned' ? 'Unassigned' : 'All'}</button>
            ))}
          </div>
          <div role="group" aria-label="Conversation status" class="chips">
            {(['open', 'closed'] as const).map((s) => (
              <button type="button" key={s} class="chip" aria-pressed={inbox.filter.status === s}
                onClick={() => inbox.setFilter({ status: s })}>{s === 'open' ? 'Open' : 'Closed'}</button>
            ))}
          </div>
        </div>
        <div class="list-head">
          <h2 id="conversations-heading">Conversations</h2>
          <span class="count" aria-label={`${count} shown`}>{count}</span>
        </div>
        <ConversationList inbox={inbox} list={list} />
        {inbox.sandbox && <SimulatePanel inbox={inbox} />}
      </section>
      <main class="main" aria-label="Conversation">
        {selected ? <ThreadView key={selected.id} inbox={inbox} conversation={selected} openTemplates={() => setDialog('templates')} />
          : <EmptyMain inbox={inbox} />}
      </main>
      <div class="toasts" role="region" aria-label="Alerts" aria-live="polite">
        <div class="sr-only" aria-live="polite" aria-atomic="true">{inbox.announcement}</div>
        {inbox.toasts.map((t) => (
          <div key={t.id} class="toast">
            <span>{t.text}</span>
            {t.conversationId && <button type="button" class="link" onClick={() => { inbox.select(t.conversationId!); inbox.dismiss(t.id); }}>Open conversation</button>}
            <button type="button" class="icon-btn small" aria-label="Dismiss" onClick={() => inbox.dismiss(t.id)}><IconClose size={16} /></button>
          </div>
        ))}
      </div>
      {dialog === 'qr' && <QrDialog inbox={inbox} close={() => setDialog(null)} />}
      {dialog === 'keys' && <KeysDialog close={() => setDialog(null)} />}
      {dialog === 'templates' && selected && <TemplatesDialog inbox={inbox} conversation={selected} close={() => setDialog(null)} />}
    </div>
  );
}

function Avatar({ name, small }: { name: string; small?: boolean }) {
  return <span class={'avatar' + (small ? ' small' : '')} aria-hidden="true"
    style={{ backgroundColor: `hsl(${hueOf(name)} 40% 32%)` }}>{initials(name)}</span>;
}

function NumberBar({ inbox }: { inbox: Inbox }) {
  const s = inbox.numberStatus;
  const many = inbox.numbers.length > 1;
  if (!s && !many) return null;
  const ok = s?.connected && s.canSendMessage;
  return (
    <div class="number-bar">
      {many ? (
        <label class="number-switch">
          <span class="sr-only">Number</span>
          <select aria-label="Number" value={inbox.filter.phoneNumberId ?? ''}
            onChange={(e) => inbox.setFilter({ phoneNumberId: (e.target as HTMLSelectElement).value || undefined })}>
            <option value="">All numbers</option>
            {inbox.numbers.map((n) => (
              <option key={n.phoneNumberId} value={n.phoneNumberId}>
                +{n.displayPhoneNumber}{n.verifiedName ? ` · ${n.verifiedName}` : ''}
              </option>
            ))}
          </select>
        </label>
      ) : <span class="number">{s?.phoneNumber ? '+' + s.phoneNumber.replace(/^\+/, '') : ''}{s?.verifiedName ? ` · ${s.verifiedName}` : ''}</span>}
      {s && (
        <span class={'number-state ' + (ok ? 'ok' : 'bad')} title={`checked ${s.checkedAt ? timeOf(s.checkedAt) : ''}`}>
          <span class="dot" aria-hidden="true" />{s.connected ? 'Connected' : s.connectionState || 'Not connected'}
          {s.qualityRating ? ` · quality ${s.qualityRating.toLowerCase()}` : ''}
        </span>
      )}
    </div>
  );
}

function AgentsPanel({ inbox }: { inbox: Inbox }) {
  const agents = [...inbox.agents.values()].sort((a, b) => Number(b.online) - Number(a.online) || (a.name ?? '').localeCompare(b.name ?? ''));
  return (
    <section class="agents" aria-label="Agents">
      <h2>Agents</h2>
      <ul>
        {agents.map((a) => (
          <li key={a.agentId}>
            <span class={'presence ' + (a.online ? 'on' : 'off')} role="img" aria-label={a.online ? 'online' : 'offline'} />
            <span class="agent-name">{a.name || a.agentId}{a.agentId === inbox.me.userId ? ' (you)' : ''}</span>
            <span class={'agent-status ' + a.status}>{a.status}</span>
          </li>
        ))}
        {!agents.length && <li class="muted">No agents yet</li>}
      </ul>
    </section>
  );
}

// ---------------------------------------------------------------- the list (virtualized)

function ConversationList({ inbox, list }: { inbox: Inbox; list: Conversation[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, height: 800 });
  useLayoutEffect(() => {
    const el = ref.current!;
    const measure = () => setScroll({ top: el.scrollTop, height: el.clientHeight || 800 });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    if (inbox.firstListRenderAt === null && list.length) {
      inbox.firstListRenderAt = performance.now();
      document.documentElement.dataset.firstListRender = String(Math.round(inbox.firstListRenderAt));
    }
  });
  const first = Math.max(0, Math.floor(scroll.top / ROW) - 5);
  const last = Math.min(list.length, Math.ceil((scroll.top + scroll.height) / ROW) + 5);
  const rows = list.slice(first, last);
  const activeIndex = inbox.selectedId ? list.findIndex((c) => c.id === inbox.selectedId) : -1;

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.altKey) return;
    let i = activeIndex;
    if (e.key === 'ArrowDown') i = Math.min(list.length - 1, i + 1);
    else if (e.key === 'ArrowUp') i = Math.max(0, i - 1);
    else if (e.key === 'Home') i = 0;
    else if (e.key === 'End') i = list.length - 1;
    else return;
    e.preventDefault();
    const c = list[i];
    if (c) {
      inbox.select(c.id);
      const el = ref.current!;
      if (i * ROW < el.scrollTop) el.scrollTop = i * ROW;
      else if ((i + 1) * ROW > el.scrollTop + el.clientHeight) el.scrollTop = (i + 1) * ROW - el.clientHeight;
    }
  };

  return (
    <div ref={ref} class="conv-list" role="listbox" aria-label="Conversations" tabIndex={0}
      aria-activedescendant={activeIndex >= 0 && activeIndex >= first && activeIndex < last ? 'conv-' + list[activeIndex]!.id : undefined}
      onScroll={(e) => setScroll({ top: (e.target as HTMLElement).scrollTop, height: (e.target as HTMLElement).clientHeight })}
      onKeyDown={onKeyDown}>
      <div class="conv-spacer" role="presentation" style={{ height: `${list.length * ROW}px` }}>
        {rows.map((c, k) => (
          <Row key={c.id} c={c} index={first + k} setSize={list.length} selected={c.id === inbox.selectedId}
            inbox={inbox} assignee={inbox.agentName(c.assignee)} typing={inbox.typists(c.id).length > 0} />
        ))}
      </div>
      {!list.length && (
        <div class="list-empty" role="presentation">
          {inbox.listLoading ? 'Loading conversations…' : inbox.conversations.size
            ? 'No conversation matches.' : 'No conversations yet.' + (inbox.sandbox ? ' Try "Simulate customer" below.' : '')}
        </div>
      )}
    </div>
  );
}

interface RowProps { c: Conversation; index: number; setSize: number; selected: boolean; inbox: Inbox; assignee: string; typing: boolean }
class Row extends Pure<RowProps> {
  render({ c, index, setSize, selected, inbox, assignee, typing }: RowProps) {
    const name = displayName(c);
    const m = c.lastMessage;
    const unread = c.unreadCount > 0 && !selected;
    return (
      <div id={'conv-' + c.id} role="option" aria-selected={selected} aria-posinset={index + 1} aria-setsize={setSize}
        class={'conv' + (selected ? ' selected' : '') + (unread ? ' unread' : '')}
        style={{ top: `${index * ROW}px` }} onClick={() => inbox.select(c.id)}>
        <Avatar name={name} />
        <div class="conv-body">
          <div class="conv-line">
            <span class="conv-name" id={'conv-name-' + c.id}>{name}</span>
            <span class="conv-time">{listTime(m?.timestamp ?? c.updatedAt)}</span>
          </div>
          <div class="conv-line" id={'conv-desc-' + c.id}>
            <span class="conv-preview">
              {typing ? <em class="typing-text">typing…</em> : <>
                {m?.direction === 'outbound' && <StatusIcon status={m.status} />}
                <span class="conv-preview-text">{preview(m)}</span>
              </>}
            </span>
            <span class="conv-badges">
              {!c.windowOpen && c.status === 'open' && <span class="window-closed" title="24-hour window closed">24h</span>}
              {unread && <span class="badge" aria-label={`${c.unreadCount} unread`}>{c.unreadCount}</span>}
            </span>
          </div>
          <div class="conv-assignee">{c.assignee ? `Assigned to ${assignee}` : 'Unassigned'}{c.status === 'closed' ? ' · closed' : ''}</div>
        </div>
      </div>
    );
  }
}

// ---------------------------------------------------------------- the thread

function EmptyMain({ inbox }: { inbox: Inbox }) {
  return (
    <div class="empty-main">
      <div class="empty-art" aria-hidden="true"><IconChat size={96} /></div>
      <h2>WhatsApp gateway inbox</h2>
      <p class="muted">Pick a conversation on the left{inbox.sandbox ? ', or simulate a customer to start one' : ''}.</p>
      <p class="muted small">Alt+↑/↓ moves between conversations, / searches, ? lists the shortcuts.</p>
    </div>
  );
}

const WINDOW = 120; // messages rendered at once; more appear as the thread scrolls up

function ThreadView({ inbox, conversation: c, openTemplates }: { inbox: Inbox; conversation: Conversation; openTemplates: () => void }) {
  const t = inbox.thread(c.id);
  const logRef = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(WINDOW);
  const [replyTo, setReplyTo] = useState<Msg | null>(null);
  const [viewing, setViewing] = useState<Msg | null>(null); // the photo in the lightbox
  const [dragging, setDragging] = useState(false);
  const [dropped, setDropped] = useState<{ file: File } | null>(null);
  const stick = useRef(true);
  const anchor = useRef<number | null>(null);
  const all = t.messages;
  const start = Math.max(0, all.length - shown);
  const visible = all.slice(start);
  const typists = inbox.typists(c.id).map((u) => inbox.agentName(u));
  const name = displayName(c);

  // Scroll only when the messages changed (reading scrollHeight forces a layout: not on every render).
  const newest = all[all.length - 1];
  useLayoutEffect(() => {
    const el = logRef.current;
    if (!el) return;
    if (anchor.current !== null) { // older messages were added above: keep what was on screen in place
      el.scrollTop = el.scrollHeight - anchor.current;
      anchor.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [all.length, newest?.id, newest?.status, shown, t.loaded]);

  const onScroll = async () => {
    const el = logRef.current!;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    if (el.scrollTop < 120) {
      if (start > 0) {
        anchor.current = el.scrollHeight - el.scrollTop;
        setShown((s) => s + WINDOW);
      } else if (t.nextCursor) {
        anchor.current = el.scrollHeight - el.scrollTop;
        await inbox.loadOlder(c.id);
        setShown((s) => s + 50);
      }
    }
  };

  const canAssign = inbox.isSupervisor;
  const agents = [...inbox.agents.values()];
  const onDragOver = (e: DragEvent) => {
    if (!dragHasFiles(e.dataTransfer)) return;
    e.preventDefault(); // allows the drop
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    if (!dragging) setDragging(true);
  };
  const onDragLeave = (e: DragEvent) => {
    const to = e.relatedTarget as Node | null;
    if (!to || !(e.currentTarget as HTMLElement).contains(to)) setDragging(false);
  };
  const onDrop = (e: DragEvent) => {
    setDragging(false);
    const file = fileOf(e.dataTransfer);
    if (!file) return;
    e.preventDefault(); // not the browser's own "open the file"
    setDropped({ file });
  };
  return (
    <div class={'thread' + (dragging ? ' dragging' : '')} onDragOver={onDragOver} onDragLeave={onDragLeave} onDrop={onDrop}>
      {dragging && <div class="drop-hint" aria-hidden="true"><span>Drop the file to attach it</span></div>}
      <header class="thread-head">
        <button type="button" class="icon-btn back" aria-label="Back to conversations" onClick={() => inbox.select(null)}><IconBack /></button>
        <Avatar name={name} />
        <div class="thread-title">
          <h2>{name}</h2>
          <div class="thread-sub">
            {typists.length ? <span class="typing-text" aria-live="polite">{typists.join(', ')} {typists.length > 1 ? 'are' : 'is'} typing…</span>
              : <span>+{c.contact.waId}{c.windowOpen ? '' : ' · 24-hour window closed'}</span>}
          </div>
        </div>
        <div class="thread-actions">
          {!c.assignee && <button type="button" class="secondary" onClick={() => inbox.assign(c.id, inbox.me.userId)}>Take</button>}
          {canAssign ? (
            <label class="assignee">
              <span class="sr-only">Assignee</span>
              <select aria-label="Assignee" value={c.assignee ?? ''}
                onChange={(e) => { const v = (e.target as HTMLSelectElement).value; if (v) inbox.assign(c.id, v); }}>
                <option value="" disabled>Unassigned</option>
                {agents.map((a) => <option key={a.agentId} value={a.agentId}>{a.agentId === inbox.me.userId ? `${a.name || a.agentId} (you)` : a.name || a.agentId}</option>)}
                {c.assignee && !inbox.agents.has(c.assignee) && <option value={c.assignee}>{c.assignee}</option>}
              </select>
            </label>
          ) : c.assignee ? <span class="assigned-to">Assigned to {inbox.agentName(c.assignee)}</span> : null}
          <button type="button" class="secondary" onClick={() => inbox.setConversationStatus(c.id, c.status === 'open' ? 'closed' : 'open')}>
            {c.status === 'open' ? 'Close' : 'Reopen'}
          </button>
        </div>
      </header>
      <div ref={logRef} class="log" role="log" aria-label="Messages" tabIndex={0} onScroll={onScroll}>
        {!t.loaded && <div class="log-note">Loading messages…</div>}
        {t.loaded && start === 0 && t.nextCursor === null && <div class="log-note">Start of the conversation</div>}
        {visible.map((m, i) => {
          const prev = visible[i - 1] ?? all[start - 1];
          const newDay = !prev || dayKey(prev.timestamp) !== dayKey(m.timestamp);
          return (
            <Fragmentish key={m.id + (m.clientMessageId ?? '')} day={newDay ? dayLabel(m.timestamp) : null}>
              <Bubble m={m} quoted={m.replyTo ? t.get(m.replyTo) ?? all.find((x) => x.waMessageId === m.replyTo) : undefined}
                inbox={inbox} conversationId={c.id} onReply={setReplyTo} onOpen={setViewing} />
            </Fragmentish>
          );
        })}
      </div>
      <Composer key={c.id} inbox={inbox} conversation={c} replyTo={replyTo} clearReply={() => setReplyTo(null)}
        openTemplates={openTemplates} dropped={dropped} />
      {viewing?.media && <Lightbox m={viewing} close={() => setViewing(null)} />}
    </div>
  );
}

function Fragmentish({ day, children }: { day: string | null; children: ComponentChildren }) {
  return <>{day && <div class="day" role="separator" aria-label={day}><span>{day}</span></div>}{children}</>;
}

interface BubbleProps { m: Msg; quoted?: Msg; inbox: Inbox; conversationId: string; onReply: (m: Msg) => void; onOpen: (m: Msg) => void }
class Bubble extends Pure<BubbleProps> {
  state = { picking: false };
  render({ m, quoted, inbox, conversationId, onReply, onOpen }: BubbleProps) {
    const out = m.direction === 'outbound';
    const reactions = Object.values(m.reactions ?? {});
    return (
      <div class={'msg ' + (out ? 'out' : 'in') + (m.status === 'failed' ? ' failed' : '') + (reactions.length ? ' reacted' : '')}
        data-message-id={m.id}>
        <div class="bubble">
          {quoted && <div class="quote"><strong>{quoted.direction === 'outbound' ? 'You' : 'Customer'}</strong><span>{preview(quoted)}</span></div>}
          {m.replyTo && !quoted && <div class="quote"><span>Reply to an earlier message</span></div>}
          <Body m={m} onOpen={onOpen} />
          <span class="meta">
            <time dateTime={m.timestamp}>{timeOf(m.timestamp)}</time>
            {out && <StatusIcon status={m.status} title={m.errorText} />}
          </span>
          {reactions.length > 0 && <span class="reactions" aria-label={'Reactions: ' + reactions.join(' ')}>{reactions.join('')}</span>}
        </div>
        {m.status === 'failed' && (
          <div class="fail">
            <span>{m.errorText || 'Not sent'}</span>
            <button type="button" class="link" onClick={() => inbox.retry(conversationId, m)}>Retry</button>
          </div>
        )}
        {!m.local && (
          <div class="msg-actions">
            <button type="button" class="icon-btn small" aria-label="Reply" title="Reply" onClick={() => onReply(m)}><IconReply size={16} /></button>
            <button type="button" class="icon-btn small" aria-label="React" title="React" aria-expanded={this.state.picking}
              onClick={() => this.setState({ picking: !this.state.picking })}><IconSmile size={16} /></button>
            {this.state.picking && (
              <div class="picker" role="group" aria-label="Reactions">
                {REACTIONS.map((e) => <button type="button" key={e} aria-label={'React ' + e}
                  onClick={() => { this.setState({ picking: false }); inbox.react(conversationId, m, e); }}>{e}</button>)}
              </div>
            )}
          </div>
        )}
      </div>
    );
  }
}

/** Message text is rendered as text (Preact escapes it), never as HTML. */
function Body({ m, onOpen }: { m: Msg; onOpen: (m: Msg) => void }) {
  switch (m.type) {
    case 'text': return <p class="text">{m.content}</p>;
    case 'image': case 'video': case 'audio': case 'document': case 'sticker': return <MediaBody m={m} onOpen={onOpen} />;
    case 'location': return (
      <div class="location"><span aria-hidden="true">📍</span> <strong>{m.location?.name || 'Location'}</strong>
        {m.location?.address && <div>{m.location.address}</div>}
        {m.location && <div class="muted small">{m.location.latitude.toFixed(5)}, {m.location.longitude.toFixed(5)}</div>}</div>
    );
    case 'contacts': {
      const contacts = ((m.extra as { contacts?: { name?: { formatted_name?: string }; phones?: { phone?: string }[] }[] } | undefined)?.contacts) ?? [];
      return <div class="contacts">{contacts.length ? contacts.map((k, i) => (
        <div key={i}>👤 <strong>{k.name?.formatted_name ?? 'Contact'}</strong> {k.phones?.map((p) => p.phone).join(', ')}</div>
      )) : '👤 Contact'}</div>;
    }
    case 'template': return <p class="text"><span class="tag">Template</span> {m.content || m.template?.name}</p>;
    default: return <p class="text">{m.content || `[${m.type}]`}</p>;
  }
}

/**
 * A message's media (PROTOCOL.md 6.4) from its gateway-relative `url`: a photo as a thumbnail that
 * opens the lightbox, players for audio and video, a download chip for a document, a sticker; a
 * placeholder while the gateway fetches it (the message comes again as `message_updated`), and a
 * note when it is gone.
 */
function MediaBody({ m, onOpen }: { m: Msg; onOpen: (m: Msg) => void }) {
  const md = m.media;
  const noun = mediaNoun(m.type);
  const caption = md?.caption || (m.content && m.content !== md?.filename ? m.content : '');
  const view = mediaView(md, m.local);
  const captionEl = caption ? <p class="text caption">{caption}</p> : null;
  if (view !== 'show' || !md) {
    const note = view === 'unavailable' ? `${noun} no longer available` : view === 'sending' ? `Sending ${noun.toLowerCase()}…` : `Loading ${noun.toLowerCase()}…`;
    return (
      <div class={'media-ph media-' + view} data-media-state={view}>
        <span class="media-kind"><span aria-hidden="true">{ICONS[m.type] ?? '📎'}</span> {note}</span>
        {md?.filename && m.type === 'document' && <span class="muted small">{md.filename}</span>}
        {captionEl}
      </div>
    );
  }
  switch (m.type) {
    case 'image': return (
      <div class="media" data-media-state="show">
        <button type="button" class="thumb" aria-label={'Open photo' + (caption ? ': ' + caption : '')} onClick={() => onOpen(m)}>
          <img src={md.url} alt={caption || 'Photo'} loading="lazy" decoding="async" />
        </button>
        {captionEl}
      </div>
    );
    case 'sticker': return <div class="media" data-media-state="show"><img class="sticker" src={md.url} alt="Sticker" width={128} height={128} /></div>;
    case 'audio': return (
      <div class="media" data-media-state="show">
        <audio class="audio" controls preload="none" src={md.url} aria-label={'Audio' + (md.filename ? ' ' + md.filename : '')} />
      </div>
    );
    case 'video': return (
      <div class="media" data-media-state="show">
        <video class="video" controls preload="metadata" src={md.url} aria-label={'Video' + (caption ? ': ' + caption : '')} />
        {captionEl}
      </div>
    );
    default: { // a document
      const name = md.filename || 'Document';
      return (
        <div class="media" data-media-state="show">
          <a class="doc" href={md.url} download={name}>
            <span class="doc-icon" aria-hidden="true">📄</span><span class="sr-only">Download </span>
            <span class="doc-text"><span class="doc-name">{name}</span><span class="doc-meta">{fileMeta(name, md.mimeType, md.size)}</span></span>
          </a>
          {captionEl}
        </div>
      );
    }
  }
}

const ICONS: Record<string, string> = { image: '📷', video: '🎥', audio: '🎤', document: '📄', sticker: '🏷️' };

/** A photo at full size: Esc or the close button closes it, the focus goes back to the thumbnail. */
function Lightbox({ m, close }: { m: Msg; close: () => void }) {
  const md = m.media!;
  const caption = md.caption || m.content || '';
  return (
    <Dialog title="Photo" close={close} wide>
      <figure class="lightbox">
        <img src={md.url} alt={caption || 'Photo'} />
        {caption && <figcaption>{caption}</figcaption>}
      </figure>
      <a class="link" href={md.url} download={md.filename || 'photo'}>Download</a>
    </Dialog>
  );
}

/** What the attached file looks like: the image itself (a blob: URL, released when it goes), else its kind. */
function AttachPreview({ a }: { a: Attachment }) {
  const url = useMemo(() => (a.type === 'image' || a.type === 'sticker') && !a.error ? URL.createObjectURL(a.file) : null, [a.file, a.type, a.error]);
  useEffect(() => () => { if (url) URL.revokeObjectURL(url); }, [url]);
  return url ? <img class="attach-thumb" src={url} alt="" />
    : <span class="attach-icon" aria-hidden="true">{ICONS[a.type] ?? '📎'}</span>;
}

function Composer({ inbox, conversation: c, replyTo, clearReply, openTemplates, dropped }: {
  inbox: Inbox; conversation: Conversation; replyTo: Msg | null; clearReply: () => void; openTemplates: () => void;
  dropped: { file: File } | null;
}) {
  const [text, setText] = useState(() => inbox.drafts.get(c.id) ?? '');
  const ref = useRef<HTMLTextAreaElement>(null);
  // one attachment at a time: checked against Meta's limits when chosen, uploaded on "Send file"
  const [att, setAtt] = useState<Attachment | null>(null);
  const [caption, setCaption] = useState('');
  const uploading = useRef<AbortController | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const take = async (file: File | null | undefined, asDocument = false) => {
    if (!file || uploading.current) return;
    setAtt(await attach(file, asDocument));
  };
  useEffect(() => { if (dropped) take(dropped.file); }, [dropped]);
  const closeAttachment = () => {
    uploading.current?.abort();
    uploading.current = null;
    setAtt(null);
    setCaption('');
    ref.current?.focus();
  };
  const sendFile = async () => {
    if (!att || (att.error && !att.retryable) || uploading.current) return;
    const controller = uploading.current = new AbortController();
    setAtt({ ...att, progress: 0, error: undefined });
    try {
      await inbox.sendMedia(c.id, att.file, { type: att.type, caption: takesCaption(att.type) ? caption : undefined,
        replyTo: replyTo?.id, signal: controller.signal,
        onProgress: (loaded, total) => setAtt((a) => a && { ...a, progress: total ? loaded / total : 0 }) });
      if (uploading.current !== controller) return;
      uploading.current = null;
      setAtt(null);
      setCaption('');
      clearReply();
      ref.current?.focus();
    } catch (e) {
      if (uploading.current !== controller) return; // cancelled: the panel is gone already
      uploading.current = null;
      // refused for what the file is: choose another (or "Send as a document"); anything else: "Send file" again
      const code = (e as { code?: string })?.code;
      const retryable = code !== 'payload_too_large' && code !== 'unsupported_media_type';
      setAtt((a) => a && { ...a, progress: undefined, error: refusalText(a.file.name || 'The file', e), retryable });
    }
  };
  const busy = att?.progress !== undefined;
  const attName = att ? att.file.name || mediaNoun(att.type) : '';
  const send = () => {
    const value = text.trim();
    if (!value || value.length > MAX_TEXT) return;
    inbox.send(c.id, value, replyTo ? { replyTo: replyTo.id } : {});
    setText('');
    clearReply();
    ref.current?.focus();
  };
  useLayoutEffect(() => { // grow with the text, up to a few lines
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = Math.min(el.scrollHeight, 160) + 'px';
  }, [text]);
  return (
    <footer class="composer-wrap">
      {!c.windowOpen && (
        <div class="window-note">
          <span>The customer's 24-hour window is closed: WhatsApp only allows an approved template until they write again.</span>
          <button type="button" class="secondary" onClick={openTemplates}>Choose a template</button>
        </div>
      )}
      {replyTo && (
        <div class="reply-bar">
          <div class="quote"><strong>Replying to {replyTo.direction === 'outbound' ? 'yourself' : 'the customer'}</strong><span>{preview(replyTo)}</span></div>
          <button type="button" class="icon-btn small" aria-label="Cancel reply" onClick={clearReply}><IconClose size={16} /></button>
        </div>
      )}
      {att && (
        <div class="attach-panel" role="group" aria-label="Attachment">
          <AttachPreview a={att} />
          <div class="attach-info">
            <strong class="attach-name">{attName}</strong>
            <span class="muted small">{mediaNoun(att.type)} · {formatSize(att.file.size)}</span>
            {mediaTypeOf(att.file.type) !== 'document' && (
              <label class="check">
                <input type="checkbox" checked={att.asDocument} disabled={busy}
                  onChange={(e) => take(att.file, (e.target as HTMLInputElement).checked)} /> Send as a document
              </label>
            )}
            {takesCaption(att.type) && (!att.error || att.retryable) && (
              <input type="text" class="caption-input" aria-label="Caption" placeholder="Add a caption" maxLength={1024}
                value={caption} disabled={busy} onInput={(e) => setCaption((e.target as HTMLInputElement).value)}
                onKeyDown={(e) => { if (e.key === 'Enter' && !e.isComposing) { e.preventDefault(); sendFile(); } }} />
            )}
            {att.error && <p class="error" role="alert">{att.error}</p>}
            {busy && <progress class="upload" aria-label={'Uploading ' + attName} max={1} value={att.progress} />}
          </div>
          <div class="attach-actions">
            <button type="button" class="secondary" onClick={closeAttachment}>{busy ? 'Cancel upload' : 'Cancel'}</button>
            <button type="button" class="primary" disabled={(!!att.error && !att.retryable) || busy} onClick={sendFile}>Send file</button>
          </div>
        </div>
      )}
      <form class="composer" onSubmit={(e) => { e.preventDefault(); send(); }}>
        <button type="button" class="icon-btn attach" aria-label="Attach a file" title="Attach a file (or drop or paste one)"
          onClick={() => fileRef.current?.click()}><IconClip /></button>
        <input ref={fileRef} type="file" class="sr-only" tabIndex={-1} aria-label="File to attach"
          onChange={(e) => { const el = e.target as HTMLInputElement; take(el.files?.[0]); el.value = ''; }} />
        <textarea ref={ref} aria-label="Message" placeholder="Type a message" rows={1} maxLength={MAX_TEXT} value={text}
          onInput={(e) => {
            const v = (e.target as HTMLTextAreaElement).value;
            setText(v);
            inbox.composerInput(c.id, v);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
          onPaste={(e) => {
            const file = fileOf(e.clipboardData);
            if (file) { e.preventDefault(); take(file); }
          }} />
        <span class={'counter' + (text.length > MAX_TEXT - 200 ? ' near' : '')}>{text.length}/{MAX_TEXT}</span>
        <button type="submit" class="send" aria-label="Send" title="Send (Enter)" disabled={!text.trim()}><IconSend /></button>
      </form>
    </footer>
  );
}

// ---------------------------------------------------------------- dialogs

function Dialog({ title, close, children, wide }: { title: string; close: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
    } else if (e.key === 'Tab') { // the focus stays inside while the dialog is open (aria-modal)
      const all = [...ref.current!.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea, [tabindex="0"]')];
      const first = all[0];
      const last = all[all.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last?.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first?.focus(); }
    }
  };
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>('button, input, select, textarea')?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <div class="overlay" onClick={(e) => { if (e.target === e.currentTarget) close(); }} onKeyDown={onKeyDown}>
      <div ref={ref} class={'dialog' + (wide ? ' wide' : '')} role="dialog" aria-modal="true" aria-label={title}>
        <header><h2>{title}</h2><button type="button" class="icon-btn" aria-label="Close dialog" onClick={close}><IconClose /></button></header>
        <div class="dialog-body">{children}</div>
      </div>
    </div>
  );
}

function QrDialog({ inbox, close }: { inbox: Inbox; close: () => void }) {
  const [qr, setQr] = useState<{ deepLinkUrl: string; code: string; prefilledMessage?: string } | null>(null);
  const [error, setError] = useState('');
  const load = (forceNew: boolean) => inbox.qrCode(forceNew).then(setQr, (e) => setError(String(e?.message ?? e)));
  useEffect(() => { load(false); }, []);
  const [path, setPath] = useState<{ size: number; d: string } | null>(null);
  useEffect(() => { // the encoder is loaded only when a code is shown
    if (qr) import('./qr.js').then((m) => setPath(m.qrPath(qr.deepLinkUrl)), (e) => setError(String(e)));
  }, [qr?.deepLinkUrl]);
  return (
    <Dialog title="QR code" close={close}>
      {error && <p class="error">{error}</p>}
      {!qr && !error && <p>Loading…</p>}
      {qr && path && <>
        <svg class="qr" viewBox={`0 0 ${path.size} ${path.size}`} role="img" aria-label={`QR code for ${qr.deepLinkUrl}`}>
          <rect width={path.size} height={path.size} fill="#fff" /><path d={path.d} fill="#111" />
        </svg>
        <p class="qr-link"><span class="muted">Customers scan this to write to the number:</span><br /><code>{qr.deepLinkUrl}</code></p>
        {qr.prefilledMessage && <p class="muted">Prefilled: “{qr.prefilledMessage}”</p>}
        <button type="button" class="secondary" onClick={() => load(true)}>New code</button>
      </>}
    </Dialog>
  );
}

function KeysDialog({ close }: { close: () => void }) {
  const keys: [string, string][] = [['Alt + ↑ / ↓', 'previous / next conversation'], ['/', 'search'], ['?', 'this list'],
    ['Enter', 'send'], ['Shift + Enter', 'new line'], ['Esc', 'close a dialog']];
  return (
    <Dialog title="Keyboard shortcuts" close={close}>
      <dl class="keys">{keys.map(([k, v]) => <div key={k}><dt><kbd>{k}</kbd></dt><dd>{v}</dd></div>)}</dl>
    </Dialog>
  );
}

const placeholders = (t: Template) => {
  const body = (t.components as { type?: string; text?: string }[] | undefined)?.find((x) => x.type?.toLowerCase() === 'body');
  return [...new Set([...(body?.text ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!))];
};
const bodyText = (t: Template) => (t.components as { type?: string; text?: string }[] | undefined)
  ?.find((x) => x.type?.toLowerCase() === 'body')?.text ?? '';

function TemplatesDialog({ inbox, conversation: c, close }: { inbox: Inbox; conversation: Conversation; close: () => void }) {
  const [list, setList] = useState<Template[] | null>(null);
  const [error, setError] = useState('');
  const [chosen, setChosen] = useState<Template | null>(null);
  const [params, setParams] = useState<Record<string, string>>({});
  useEffect(() => {
    inbox.templates(c.phoneNumberId).then(setList, (e) => setError(e?.code === 'unknown_event'
      ? 'This gateway does not offer templates yet (get_templates).' : String(e?.message ?? e)));
  }, [c.phoneNumberId]);
  const names = chosen ? placeholders(chosen) : [];
  const filled = chosen ? bodyText(chosen).replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k) => params[k] || `{{${k}}}`) : '';
  const send = () => {
    if (!chosen) return;
    const language = typeof chosen.language === 'string' ? chosen.language : chosen.language.code;
    const template: Template = { name: chosen.name, language: { code: language },
      components: names.length ? [{ type: 'body', parameters: names.map((k) => ({ type: 'text', text: params[k] ?? '' })) }] : undefined };
    inbox.send(c.id, '', { type: 'template', template });
    close();
  };
  return (
    <Dialog title="Templates" close={close}>
      {error && <p class="error">{error}</p>}
      {!list && !error && <p>Loading templates…</p>}
      {list && !chosen && (list.length ? (
        <ul class="templates" aria-label="Approved templates">
          {list.map((t) => (
            <li key={t.name + String(t.language)}>
              <button type="button" class="template" onClick={() => setChosen(t)}>
                <strong>{t.name}</strong> <span class="muted">{typeof t.language === 'string' ? t.language : t.language.code}</span>
                <span class="template-text">{bodyText(t)}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : <p>This number has no approved templates.</p>)}
      {chosen && (
        <form onSubmit={(e) => { e.preventDefault(); send(); }}>
          <p><strong>{chosen.name}</strong></p>
          {names.map((k) => (
            <label key={k} class="field"><span>Parameter {k}</span>
              <input type="text" required value={params[k] ?? ''}
                onInput={(e) => setParams({ ...params, [k]: (e.target as HTMLInputElement).value })} /></label>
          ))}
          <p class="template-preview">{filled}</p>
          <div class="row-actions">
            <button type="button" class="secondary" onClick={() => setChosen(null)}>Back</button>
            <button type="submit" class="primary">Send template</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function SimulatePanel({ inbox }: { inbox: Inbox }) {
  const [from, setFrom] = useState(() => '+1555' + String(Math.floor(1000000 + Math.random() * 8999999)));
  const [name, setName] = useState('Carla Customer');
  const [text, setText] = useState('');
  const [media, setMedia] = useState('');
  const [note, setNote] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!text.trim() && !media) return;
    // with a media the sandbox's customer sends a generated file of that type; the text is its caption
    const body: Record<string, unknown> = media
      ? { from, name, media: { type: media, caption: text.trim() || undefined, filename: media === 'document' ? 'document.pdf' : undefined } }
      : { from, name, text };
    if (inbox.filter.phoneNumberId) body.phoneNumberId = inbox.filter.phoneNumberId;
    try {
      const r = await fetch('/api/sandbox/inbound', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      setNote(r.ok ? 'Sent as the customer.' : `The sandbox answered ${r.status}.`);
      if (r.ok) { setText(''); setMedia(''); }
    } catch (err) {
      setNote('Not sent: ' + String(err));
    }
  };
  return (
    <details class="simulate">
      <summary>Simulate customer</summary>
      <form onSubmit={submit}>
        <label class="field"><span>Customer number</span>
          <input type="tel" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} /></label>
        <label class="field"><span>Customer name</span>
          <input type="text" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
        <label class="field"><span>Customer message</span>
          <textarea rows={2} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} /></label>
        <label class="field"><span>Customer media</span>
          <select value={media} onChange={(e) => setMedia((e.target as HTMLSelectElement).value)}>
            <option value="">None (a text)</option>
            <option value="image">Photo</option>
            <option value="audio">Audio</option>
            <option value="document">Document (PDF)</option>
          </select></label>
        <button type="submit" class="primary">Send as customer</button>
        <span class="muted small" aria-live="polite">{note}</span>
      </form>
    </details>
  );
}
