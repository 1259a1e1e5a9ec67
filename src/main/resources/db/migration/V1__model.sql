-- The system of record. Every query the WebSocket protocol runs has an index below.

-- A tenant owns numbers, agents, contacts and conversations. last_seq is the per-tenant
-- durable event counter: it is incremented in the transaction that appends events, so the
-- row lock makes seq order equal commit order (a sequence or bigserial would not).
create table tenant (
    id          text primary key,
    last_seq    bigint      not null default 0,
    created_at  timestamptz not null default now()
);

create table phone_number (
    id                   uuid primary key,
    tenant_id            text        not null references tenant (id),
    phone_number_id      text        not null unique,      -- Meta's phone-number-id
    waba_id              text,
    display_phone_number text        not null,             -- digits only, no '+'
    verified_name        text,
    access_token         text,                              -- write-only through the API
    quality_rating       text,
    status               text,
    connection           jsonb,                             -- last connection status snapshot
    qr_code              jsonb,                             -- the stored message_qrdls code
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now()
);
create index phone_number_tenant_idx on phone_number (tenant_id, display_phone_number);

-- Agents are known from their JWTs: upserted on every connection.
create table agent (
    tenant_id    text        not null references tenant (id),
    id           text        not null,                     -- the JWT subject
    name         text,
    roles        text        not null default '',
    status       text        not null default 'available'
                 check (status in ('available', 'busy', 'away')),
    last_seen_at timestamptz,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    primary key (tenant_id, id)
);

create table contact (
    id              uuid primary key,
    tenant_id       text        not null references tenant (id),
    wa_id           text        not null,                  -- digits only
    name            text,
    sort_name       text generated always as (lower(coalesce(name, wa_id))) stored,
    last_message_at timestamptz,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    unique (tenant_id, wa_id)
);
-- get_contacts: alphabetical keyset paging within a tenant.
create index contact_tenant_sort_idx on contact (tenant_id, sort_name, id);

create table conversation (
    id               uuid primary key,
    tenant_id        text        not null references tenant (id),
    contact_id       uuid        not null references contact (id),
    phone_number_id  uuid        not null references phone_number (id),
    assignee_id      text,
    status           text        not null default 'open' check (status in ('open', 'closed')),
    unread_count     integer     not null default 0 check (unread_count >= 0),
    last_message_id  uuid,
    last_inbound_at  timestamptz,
    last_activity_at timestamptz not null default now(),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    unique (contact_id, phone_number_id)
);
-- get_conversations: newest activity first, optionally by status or assignee.
create index conversation_tenant_activity_idx on conversation (tenant_id, last_activity_at desc, id desc);
create index conversation_tenant_assignee_idx on conversation (tenant_id, assignee_id, last_activity_at desc, id desc);

create table message (
    id                uuid primary key,
    tenant_id         text        not null references tenant (id),
    conversation_id   uuid        not null references conversation (id),
    -- insertion order; breaks ties between messages with the same (second-resolution) timestamp
    pos               bigint generated always as identity,
    direction         text        not null check (direction in ('inbound', 'outbound')),
    type              text        not null,
    content           text,
    media             jsonb,
    template          jsonb,
    reaction          jsonb,
    location          jsonb,
    extra             jsonb,                                -- contacts, interactive, button, unsupported
    reply_to          text,                                 -- wamid of the quoted message
    wa_message_id     text unique,
    client_message_id text,
    status            text        not null
                      check (status in ('received', 'pending', 'sent', 'delivered', 'read', 'played', 'failed')),
    status_at         timestamptz,
    error             jsonb,
    sent_by           text,
    ts                timestamptz not null,
    created_at        timestamptz not null default now(),
    unique (tenant_id, client_message_id)
);
-- get_messages / get_messages_between: newest-first scans of one conversation.
create index message_conversation_ts_idx on message (conversation_id, ts desc, pos desc);

-- The durable event log: what resume replays and what other replicas read after a doorbell.
-- audience says who may receive the event (see fanout.Audience); the ids beside it route it.
create table event (
    tenant_id       text        not null,
    seq             bigint      not null,
    name            text        not null,
    audience        text        not null,
    conversation_id uuid,
    contact_id      uuid,
    user_id         text,
    payload         jsonb       not null,
    created_at      timestamptz not null default now(),
    primary key (tenant_id, seq)
);
create index event_created_idx on event (created_at);
