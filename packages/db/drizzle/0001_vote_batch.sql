-- Group commit of votes in one call: the vote batcher sends a whole batch of accepted votes (in
-- arrival order) and gets back, per vote, what it changed, and per idea, its counters after the
-- batch. One statement from the client, so one round trip instead of a transaction of ten.
--
-- Inside, each statement of a VOLATILE PL/pgSQL function takes a fresh snapshot (READ COMMITTED), so
-- the previous votes are read after the (user, idea) locks are held, as the single-vote path does.
-- Locks: the pairs' advisory locks in (idea|user) order, then the ideas FOR NO KEY UPDATE in id order
-- (NO KEY UPDATE does not conflict with the KEY SHARE locks the votes' foreign keys take).
-- An idea whose status, locked or hidden flag no longer matches what the batch was decided on makes
-- the whole call fail with SQLSTATE CC001; the caller then writes the votes one by one.
CREATE OR REPLACE FUNCTION cocreate_apply_votes(
  p_ideas uuid[],
  p_users uuid[],
  p_values smallint[],
  p_weights float8[],
  g_ideas uuid[],
  g_status text[],
  g_locked boolean[],
  g_hidden boolean[]
) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  pair record;
  result jsonb;
BEGIN
  IF cardinality(p_ideas) IS DISTINCT FROM cardinality(p_users)
     OR cardinality(p_ideas) IS DISTINCT FROM cardinality(p_values)
     OR cardinality(p_ideas) IS DISTINCT FROM cardinality(p_weights)
     OR cardinality(g_ideas) IS DISTINCT FROM cardinality(g_status)
     OR cardinality(g_ideas) IS DISTINCT FROM cardinality(g_locked)
     OR cardinality(g_ideas) IS DISTINCT FROM cardinality(g_hidden) THEN
    RAISE EXCEPTION 'cocreate_apply_votes: arrays of different lengths' USING ERRCODE = '22023';
  END IF;

  FOR pair IN
    SELECT DISTINCT t.i, t.u FROM unnest(p_ideas, p_users) AS t(i, u)
    ORDER BY 1, 2
  LOOP
    PERFORM pg_advisory_xact_lock(hashtext(pair.u::text), hashtext(pair.i::text));
  END LOOP;

  PERFORM 1 FROM ideas WHERE id = ANY (p_ideas) ORDER BY id FOR NO KEY UPDATE;

  WITH input AS (
    SELECT t.ord, t.i, t.u, t.val, t.w
      FROM unnest(p_ideas, p_users, p_values, p_weights) WITH ORDINALITY AS t(i, u, val, w, ord)
  ),
  prev AS (
    SELECT v.idea_id, v.user_id, v.value, v.weight
      FROM votes v
     WHERE (v.idea_id, v.user_id) IN (SELECT i, u FROM input)
  ),
  -- Each vote against the state the one before it (in arrival order) left, or the stored vote.
  steps AS (
    SELECT input.ord, input.i, input.u, input.val, input.w,
           coalesce(lag(input.val) OVER pair_w, prev.value, 0)::int AS old_val,
           coalesce(lag(CASE WHEN input.val = 0 THEN 0 ELSE input.w END) OVER pair_w, prev.weight, 0) AS old_w
      FROM input
      LEFT JOIN prev ON prev.idea_id = input.i AND prev.user_id = input.u
    WINDOW pair_w AS (PARTITION BY input.i, input.u ORDER BY input.ord)
  ),
  deltas AS (
    SELECT ord, i, val <> old_val AS changed,
           CASE WHEN val <> old_val THEN (val = 1)::int - (old_val = 1)::int ELSE 0 END AS up,
           CASE WHEN val <> old_val THEN (val = -1)::int - (old_val = -1)::int ELSE 0 END AS down,
           CASE WHEN val <> old_val THEN val * (CASE WHEN val = 0 THEN 0 ELSE w END) - old_val * old_w ELSE 0 END AS weighted
      FROM steps
  ),
  -- The row each changed pair ends with: its last vote.
  final AS (
    SELECT DISTINCT ON (s.i, s.u) s.i, s.u, s.val, s.w
      FROM steps s
     WHERE EXISTS (SELECT 1 FROM steps c WHERE c.i = s.i AND c.u = s.u AND c.val <> c.old_val)
     ORDER BY s.i, s.u, s.ord DESC
  ),
  upserted AS (
    INSERT INTO votes (idea_id, user_id, value, weight)
    SELECT i, u, val, w FROM final WHERE val <> 0
    ON CONFLICT (idea_id, user_id) DO UPDATE SET value = excluded.value, weight = excluded.weight, updated_at = now()
    RETURNING 1
  ),
  deleted AS (
    DELETE FROM votes v USING final f
     WHERE f.val = 0 AND v.idea_id = f.i AND v.user_id = f.u
    RETURNING 1
  ),
  totals AS (
    SELECT i, sum(up)::int AS up, sum(down)::int AS down, sum(weighted)::float8 AS weighted, count(*)::int AS n
      FROM deltas WHERE changed GROUP BY i
  ),
  updated AS (
    UPDATE ideas AS idea
       SET up = idea.up + t.up, down = idea.down + t.down, vote_count = idea.vote_count + t.up - t.down,
           weighted_score = idea.weighted_score + t.weighted, version = idea.version + t.n
      FROM totals t
      JOIN unnest(g_ideas, g_status, g_locked, g_hidden) AS g(id, status, locked, hidden) ON g.id = t.i
     WHERE idea.id = t.i AND idea.status::text = g.status AND idea.locked = g.locked AND idea.hidden = g.hidden
    RETURNING idea.id, idea.up, idea.down, idea.weighted_score, idea.version, idea.board_id
  ),
  unchanged AS (
    SELECT idea.id, idea.up, idea.down, idea.weighted_score, idea.version, idea.board_id
      FROM ideas idea
     WHERE idea.id IN (SELECT i FROM input) AND idea.id NOT IN (SELECT i FROM totals)
  )
  SELECT jsonb_build_object(
           'steps', coalesce((SELECT jsonb_agg(jsonb_build_array(ord, changed, up, down, weighted) ORDER BY ord) FROM deltas), '[]'::jsonb),
           'changedIdeas', (SELECT count(*) FROM totals),
           'ideas', coalesce((SELECT jsonb_agg(jsonb_build_array(id, up, down, weighted_score, version::text, board_id)) FROM (SELECT * FROM updated UNION ALL SELECT * FROM unchanged) AS a), '[]'::jsonb),
           'updatedIdeas', (SELECT count(*) FROM updated),
           'writes', (SELECT count(*) FROM upserted) + (SELECT count(*) FROM deleted)
         )
    INTO result;

  IF (result ->> 'updatedIdeas')::int <> (result ->> 'changedIdeas')::int THEN
    RAISE EXCEPTION 'an idea changed while its votes were written' USING ERRCODE = 'CC001';
  END IF;
  RETURN result;
END
$$;
