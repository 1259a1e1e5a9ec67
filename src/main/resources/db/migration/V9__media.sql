-- Media the gateway keeps (PROTOCOL.md 6.4): a customer's image, voice note, video, document or
-- sticker, fetched from the Graph API after the webhook was answered, and the agents' uploads.
-- A pending row is also the durable download job: any replica claims it (locked_until/locked_by,
-- as the outbox does), retries with backoff (next_attempt_at) and gives up on a permanent error
-- (status unavailable). The bytes live in the configured media store (app.media.store): in
-- media_chunk for postgres, in an object store for s3 (store says which, so that a change of
-- setting leaves earlier media readable where it is).
create table media (
    id              uuid primary key,
    tenant_id       text        not null references tenant (id),
    direction       text        not null check (direction in ('inbound', 'outbound')),
    message_id      uuid references message (id) on delete set null,  -- inbound: the message carrying it
    phone_number_id uuid references phone_number (id),               -- whose token fetches / where it was uploaded
    meta_media_id   text,                                            -- Meta's id (7 days inbound, 30 days uploads)
    meta_sha256     text,                                            -- as the webhook gave it: hex or base64
    mime_type       text,
    filename        text,
    size            bigint,
    sha256          text,                                            -- hex, of the bytes stored
    status          text        not null check (status in ('pending', 'available', 'unavailable')),
    store           text,                                            -- postgres | s3, once stored
    chunk_size      integer,                                         -- postgres: bytes per media_chunk row
    attempts        integer     not null default 0,
    next_attempt_at timestamptz not null default now(),
    locked_until    timestamptz,
    locked_by       text,
    last_error      text,
    created_at      timestamptz not null default now(),
    stored_at       timestamptz
);
create index media_pending_idx on media (next_attempt_at) where status = 'pending';
create index media_tenant_created_idx on media (tenant_id, created_at);

-- The bytes of app.media.store=postgres, in chunks (app.media.chunk-size), so that a 100 MB
-- document never sits whole in memory on its way in or out.
create table media_chunk (
    media_id uuid    not null references media (id) on delete cascade,
    n        integer not null,
    data     bytea   not null,
    primary key (media_id, n)
);
-- the chunks are compressed already (images, audio, video) or read whole: no TOAST compression
alter table media_chunk alter column data set storage external;

-- Inbound media stored before this version carry Meta's JSON: give each a gateway media row, to
-- be fetched while Meta still has it (7 days), and the message the gateway's media shape.
with legacy as (
    select m.id as message_id, m.tenant_id, c.phone_number_id, m.media, gen_random_uuid() as media_id
      from message m join conversation c on c.id = m.conversation_id
     where m.direction = 'inbound' and m.type in ('image', 'audio', 'video', 'document', 'sticker')
       and m.media ? 'id' and not m.media ? 'status'
), created as (
    insert into media (id, tenant_id, direction, message_id, phone_number_id, meta_media_id, meta_sha256, mime_type,
                       filename, status)
    select media_id, tenant_id, 'inbound', message_id, phone_number_id, media ->> 'id', media ->> 'sha256',
           media ->> 'mime_type', media ->> 'filename', 'pending'
      from legacy
    returning id
)
update message m
   set media = jsonb_strip_nulls(jsonb_build_object('id', legacy.media_id::text, 'mimeType', legacy.media ->> 'mime_type',
                                                    'filename', legacy.media ->> 'filename',
                                                    'caption', legacy.media ->> 'caption', 'status', 'pending'))
  from legacy
 where m.id = legacy.message_id;
