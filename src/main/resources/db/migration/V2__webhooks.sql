-- Webhook items that could not be turned into state (malformed, unknown number): kept, never
-- dropped, so that an operator can see and replay them.
create table webhook_failure (
    id          bigserial primary key,
    received_at timestamptz not null default now(),
    reason      text        not null,
    item        jsonb       not null
);
create index webhook_failure_received_idx on webhook_failure (received_at);

-- Non-message webhooks (account_update, phone_number_quality_update) address numbers by WABA.
create index phone_number_waba_idx on phone_number (waba_id);
