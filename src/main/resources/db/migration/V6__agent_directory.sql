-- The agent directory (PROTOCOL.md 6.8): an admin creates agents before their first connection,
-- renames and deactivates them. A deactivated agent's connections are closed and its token refused.
alter table agent add column active boolean not null default true;
-- an admin named the agent: the name in its tokens no longer replaces that one
alter table agent add column named_by_admin boolean not null default false;
-- every replica reads the deactivated agents every few seconds (AgentService.refreshDeactivated)
create index agent_deactivated_idx on agent (tenant_id, id) where not active;
