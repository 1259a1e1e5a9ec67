-- How far agents have read a conversation: unread_count is the inbound messages after it, so a
-- read never swallows a message that arrived meanwhile and never moves backwards.
alter table conversation add column read_up_to_ts timestamptz, add column read_up_to_pos bigint;

-- Presence across replicas: each instance heartbeats; its rows say which users it has
-- connections for. A user is online while some row of a live instance names them; the rows of an
-- instance that stopped heartbeating are swept by the others.
create table instance (
    id           text primary key,
    started_at   timestamptz not null default now(),
    heartbeat_at timestamptz not null default now()
);

create table presence (
    instance_id text not null references instance (id) on delete cascade,
    tenant_id   text not null,
    user_id     text not null,
    primary key (instance_id, tenant_id, user_id)
);
create index presence_user_idx on presence (tenant_id, user_id);

-- Round-robin automatic assignment picks the available agent assigned least recently.
alter table agent add column last_assigned_at timestamptz;
