-- Event forwarding to the host application (PROTOCOL.md 6.9): one row per tenant that forwards,
-- holding its target, its secret (write-only through the API) and its cursor in the durable log.
-- The replicas share the rows: a replica forwards a tenant while it holds the row's lease
-- (leased_by, lease_until), so that two replicas never send the same batch; a crashed replica's
-- lease expires and another one resends from last_delivered_seq (the same seq, a duplicate).
create table forwarding (
    tenant_id          text        primary key references tenant (id),
    url                text        not null,
    events             text[]      not null default '{}',  -- empty: every durable event
    secret             text        not null,
    -- every event up to it was delivered (a 2xx) or skipped (filtered out, past the retention)
    last_delivered_seq bigint      not null,
    -- bumped by every PUT: a batch under an older configuration cannot move the cursor
    generation         bigint      not null default 1,
    attempts           int         not null default 0,     -- failed POSTs in a row
    next_attempt_at    timestamptz not null default now(),
    last_error         text,
    -- 'delivery' (cleared by the next 2xx) or 'skipped' (events past the retention, kept until replaced)
    last_error_kind    text        check (last_error_kind in ('delivery', 'skipped')),
    last_error_at      timestamptz,
    leased_by          text,
    lease_until        timestamptz,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);
