-- Unreadable webhook items become their tenant's to list and replay (GET /api/admin/webhook-failures,
-- POST .../{id}/replay): the number they came for, its tenant, and the item as a delivery of its own
-- (with its change's metadata and contacts), which a replay ingests as if Meta sent it again.
-- Items for numbers no tenant owns are no longer kept (counted in the metrics only).
alter table webhook_failure
    add column tenant_id       text,
    add column phone_number_id text,
    add column delivery        jsonb,
    add column replayed_at     timestamptz;
create index webhook_failure_tenant_idx on webhook_failure (tenant_id, id desc) where tenant_id is not null;
