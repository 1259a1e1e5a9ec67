-- get_conversations orders by the time of each conversation's newest message (Meta's timestamp,
-- PROTOCOL.md 6.2). last_activity_at used to start at the conversation's creation (now()) and
-- greatest() kept it, so a backlog delivered late sorted in processing order: recompute it.
update conversation c
   set last_activity_at = newest.ts
  from (select conversation_id, max(ts) as ts from message group by conversation_id) newest
 where newest.conversation_id = c.id and c.last_activity_at <> newest.ts;
