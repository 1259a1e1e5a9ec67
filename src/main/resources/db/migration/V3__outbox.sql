-- Durable outbox of Graph API calls. A row is written in the transaction that stores the
-- message, so a send is never lost; it is deleted in the transaction that records the result.
-- locked_until/locked_by let one instance own a row while it calls Meta; a row whose lock expired
-- (the owner died) is picked up again by any instance.
create table outbox (
    id              uuid primary key,
    tenant_id       text        not null references tenant (id),
    phone_number_id uuid        not null references phone_number (id),
    message_id      uuid references message (id),
    kind            text        not null check (kind in ('send', 'read')),
    recipient       text        not null,             -- per-recipient FIFO: one in flight at a time
    payload         jsonb       not null,             -- the Graph API request body
    attempts        integer     not null default 0,
    next_attempt_at timestamptz not null default now(),
    locked_until    timestamptz,
    locked_by       text,
    last_error      text,
    created_at      timestamptz not null default now()
);
create index outbox_due_idx on outbox (next_attempt_at);
create index outbox_recipient_idx on outbox (phone_number_id, recipient, created_at);
