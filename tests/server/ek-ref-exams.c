/* ek-ref-exams.c: loading and validating the exam files
 *
 * Test-only code. The file format is in docs/protocol.md section 10.
 * Relative times (*_in_s, phase duration_s) are resolved against the
 * moment this data directory first saw the exam; that moment is kept in
 * SQLite so that a restarted server keeps the same absolute times.
 */

#include <string.h>

#include "ek-ref-server.h"

typedef struct
{
  const char *file;
  GError **error;
} Ctx;

static const char * const exam_modes[] = { "practice", "device_test", "mock", "formal", NULL };
static const char * const exam_kinds[] = { "interview", "written", NULL };
static const char * const phase_kinds[] = { "reading", "answering", NULL };
static const char * const question_types[] = { "oral", "single", "multiple", "true_false", "text", NULL };
static const char * const media_types[] = { "text/plain", "text/markdown", "image/png", "image/jpeg", NULL };
static const char * const step_names[] = {
  "pledge", "face_check", "second_view", "room_scan", "paper_check", "draw",
  "attachments", "device_confirm", NULL
};

static void
phase_free (gpointer data)
{
  EkPhase *p = data;

  g_free (p->id);
  g_free (p->kind);
  g_free (p);
}

static void
attachment_free (gpointer data)
{
  EkAttachment *a = data;

  g_free (a->id);
  g_free (a->name);
  g_free (a->media_type);
  g_free (a->path);
  g_free (a->sha256);
  g_free (a);
}

static void
candidate_free (gpointer data)
{
  EkCandidate *c = data;

  g_free (c->id_number);
  g_free (c->name);
  g_free (c->seat);
  g_free (c->photo_path);
  g_free (c->face_token);
  g_free (c);
}

void
ek_exam_free (EkExam *exam)
{
  if (exam == NULL)
    return;
  g_free (exam->file);
  g_free (exam->id);
  g_free (exam->kind);
  g_free (exam->pledge_version);
  g_clear_pointer (&exam->phases, g_ptr_array_unref);
  g_clear_pointer (&exam->candidates, g_ptr_array_unref);
  g_clear_pointer (&exam->attachments, g_ptr_array_unref);
  g_strfreev (exam->exam_tokens);
  g_clear_pointer (&exam->steps, json_object_unref);
  g_clear_pointer (&exam->exam_json, json_node_unref);
  g_clear_pointer (&exam->questions, json_object_unref);
  g_free (exam);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkExam, ek_exam_free)

static gboolean
fail (Ctx        *ctx,
      const char *member,
      const char *problem)
{
  g_set_error (ctx->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "%s: member '%s': %s", ctx->file, member, problem);
  return FALSE;
}

static gboolean
is_identifier (const char *s)
{
  gsize len = strlen (s);

  if (len < 1 || len > 64)
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && *s != '_' && *s != '.' && *s != '-')
      return FALSE;
  return TRUE;
}

static gboolean
in_list (const char         *s,
         const char * const *list)
{
  return s != NULL && g_strv_contains (list, s);
}

static const char *
get_string (Ctx        *ctx,
            JsonObject *obj,
            const char *name,
            const char *path,
            gboolean    required)
{
  JsonNode *node = json_object_get_member (obj, name);
  g_autofree char *full = g_strdup_printf ("%s%s", path, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        fail (ctx, full, "is missing");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      fail (ctx, full, "must be a string");
      return NULL;
    }
  return json_node_get_string (node);
}

/* Returns FALSE with the error set for a malformed member; *present
 * says whether it was there at all. */
static gboolean
get_int (Ctx        *ctx,
         JsonObject *obj,
         const char *name,
         const char *path,
         gint64     *out,
         gboolean   *present)
{
  JsonNode *node = json_object_get_member (obj, name);
  g_autofree char *full = g_strdup_printf ("%s%s", path, name);

  *present = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (ctx, full, "must be an integer");
  *out = json_node_get_int (node);
  *present = TRUE;
  return TRUE;
}

/* An absolute NAME_ms or a relative NAME_in_s; the relative form counts
 * from @base_ms. */
static gboolean
get_time (Ctx        *ctx,
          JsonObject *obj,
          const char *name,
          gint64      base_ms,
          gboolean    required,
          gint64     *out)
{
  g_autofree char *abs_name = g_strdup_printf ("%s_ms", name);
  g_autofree char *rel_name = g_strdup_printf ("%s_in_s", name);
  gboolean has_abs, has_rel;
  gint64 abs_v = 0, rel_v = 0;

  if (!get_int (ctx, obj, abs_name, "exam.", &abs_v, &has_abs) ||
      !get_int (ctx, obj, rel_name, "exam.", &rel_v, &has_rel))
    return FALSE;
  if (has_abs && has_rel)
    {
      g_autofree char *full = g_strdup_printf ("exam.%s", rel_name);
      return fail (ctx, full, "give either the _ms or the _in_s form, not both");
    }
  if (has_abs)
    *out = abs_v;
  else if (has_rel)
    *out = base_ms + rel_v * 1000;
  else if (required)
    {
      g_autofree char *full = g_strdup_printf ("exam.%s", abs_name);
      return fail (ctx, full, "is missing (or give the relative form *_in_s)");
    }
  else
    *out = -1;
  return TRUE;
}

gboolean
ek_id_number_is_valid (const char *id)
{
  static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
  static const char checks[] = "10X98765432";
  int sum = 0;

  if (id == NULL || strlen (id) != 18)
    return FALSE;
  for (int i = 0; i < 17; i++)
    {
      if (!g_ascii_isdigit (id[i]))
        return FALSE;
      sum += (id[i] - '0') * weights[i];
    }
  return g_ascii_toupper (id[17]) == checks[sum % 11];
}

static gboolean
hash_file (const char  *path,
           gint64      *size,
           char       **sha256,
           GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  *size = len;
  *sha256 = ek_sha256_hex (contents, len);
  return TRUE;
}

static gboolean
load_phases (Ctx        *ctx,
             EkExam     *exam,
             JsonObject *exam_obj,
             JsonArray  *client_phases)
{
  JsonNode *node = json_object_get_member (exam_obj, "phases");
  JsonArray *phases;
  gint64 prev_end;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (json_node_get_array (node)) == 0)
    return fail (ctx, "exam.phases", "must be a non-empty array");
  phases = json_node_get_array (node);

  prev_end = exam->starts_ms;
  for (guint i = 0; i < json_array_get_length (phases); i++)
    {
      JsonNode *pn = json_array_get_element (phases, i);
      g_autofree char *path = g_strdup_printf ("exam.phases[%u].", i);
      g_autofree char *where = NULL;
      JsonObject *po, *copy;
      const char *id, *kind, *title;
      gint64 starts = 0, ends = 0, duration = 0;
      gboolean has_starts, has_ends, has_duration;
      EkPhase *phase;

      if (!JSON_NODE_HOLDS_OBJECT (pn))
        return fail (ctx, path, "must be an object");
      po = json_node_get_object (pn);

      if (!(id = get_string (ctx, po, "id", path, TRUE)) ||
          !(kind = get_string (ctx, po, "kind", path, TRUE)) ||
          !(title = get_string (ctx, po, "title", path, TRUE)))
        return FALSE;
      where = g_strdup_printf ("%sid", path);
      if (!is_identifier (id))
        return fail (ctx, where, "must match [A-Za-z0-9_.-]{1,64}");
      if (ek_exam_find_phase (exam, id) != NULL)
        return fail (ctx, where, "is not unique");
      g_free (where);
      where = g_strdup_printf ("%skind", path);
      if (!in_list (kind, phase_kinds))
        return fail (ctx, where, "must be reading or answering");
      if (!get_int (ctx, po, "starts_ms", path, &starts, &has_starts) ||
          !get_int (ctx, po, "ends_ms", path, &ends, &has_ends) ||
          !get_int (ctx, po, "duration_s", path, &duration, &has_duration))
        return FALSE;

      g_free (where);
      where = g_strdup_printf ("%sduration_s", path);
      /* Phases given by duration follow each other without a gap. */
      if (!has_starts)
        starts = prev_end;
      if (has_duration && has_ends)
        return fail (ctx, where, "give either ends_ms or duration_s, not both");
      if (has_duration)
        {
          if (duration <= 0)
            return fail (ctx, where, "must be positive");
          ends = starts + duration * 1000;
        }
      else if (!has_ends)
        return fail (ctx, where, "is missing (or give ends_ms)");

      g_free (where);
      where = g_strdup_printf ("%sstarts_ms", path);
      if (i == 0 && starts != exam->starts_ms)
        return fail (ctx, where, "the first phase must start at the exam's starts_ms");
      if (starts < prev_end)
        return fail (ctx, where, "overlaps the previous phase");
      if (ends <= starts)
        return fail (ctx, where, "must be before ends_ms");

      phase = g_new0 (EkPhase, 1);
      phase->id = g_strdup (id);
      phase->kind = g_strdup (kind);
      phase->starts_ms = starts;
      phase->ends_ms = ends;
      g_ptr_array_add (exam->phases, phase);
      prev_end = ends;

      copy = json_node_get_object (pn = json_node_copy (pn));
      json_object_remove_member (copy, "duration_s");
      json_object_set_int_member (copy, "starts_ms", starts);
      json_object_set_int_member (copy, "ends_ms", ends);
      json_array_add_element (client_phases, pn);
    }

  exam->ends_ms = prev_end;
  return TRUE;
}

static gboolean
load_questions (Ctx        *ctx,
                EkExam     *exam,
                JsonObject *root)
{
  JsonNode *node = json_object_get_member (root, "questions");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObjectIter iter;
  const char *phase_id;
  JsonNode *list;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return fail (ctx, "questions", "must be an object PHASE_ID -> array");
  exam->questions = json_object_ref (json_node_get_object (node));

  json_object_iter_init (&iter, exam->questions);
  while (json_object_iter_next (&iter, &phase_id, &list))
    {
      g_autofree char *path = g_strdup_printf ("questions.%s", phase_id);
      JsonArray *arr;
      EkPhase *phase = ek_exam_find_phase (exam, phase_id);

      if (phase == NULL)
        return fail (ctx, path, "names no phase of the exam");
      if (!JSON_NODE_HOLDS_ARRAY (list))
        return fail (ctx, path, "must be an array");
      arr = json_node_get_array (list);

      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          JsonNode *qn = json_array_get_element (arr, i);
          g_autofree char *qpath = g_strdup_printf ("%s[%u].", path, i);
          g_autofree char *where = NULL;
          JsonObject *q;
          const char *id, *type;
          gboolean is_interview_copy;

          if (!JSON_NODE_HOLDS_OBJECT (qn))
            return fail (ctx, qpath, "must be an object");
          q = json_node_get_object (qn);
          if (!(id = get_string (ctx, q, "id", qpath, TRUE)) ||
              !(type = get_string (ctx, q, "type", qpath, TRUE)) ||
              !get_string (ctx, q, "text", qpath, TRUE))
            return FALSE;
          where = g_strdup_printf ("%sid", qpath);
          if (!is_identifier (id))
            return fail (ctx, where, "must match [A-Za-z0-9_.-]{1,64}");
          /* An interview may list its questions again for the answering
           * phase; anything else must use each id once. */
          is_interview_copy = g_str_equal (exam->kind, "interview") &&
                              g_str_equal (phase->kind, "answering");
          if (!is_interview_copy && g_hash_table_contains (seen, id))
            return fail (ctx, where, "is not unique in the exam");
          g_hash_table_add (seen, (gpointer) id);

          g_free (where);
          where = g_strdup_printf ("%stype", qpath);
          if (!in_list (type, question_types))
            return fail (ctx, where, "must be oral, single, multiple, true_false or text");

          if (g_str_equal (type, "single") || g_str_equal (type, "multiple"))
            {
              JsonNode *on = json_object_get_member (q, "options");
              g_autoptr(GHashTable) opt_ids = g_hash_table_new (g_str_hash, g_str_equal);
              JsonArray *opts;

              g_free (where);
              where = g_strdup_printf ("%soptions", qpath);
              if (on == NULL || !JSON_NODE_HOLDS_ARRAY (on) ||
                  json_array_get_length (json_node_get_array (on)) < 2)
                return fail (ctx, where, "must be an array of at least 2 options");
              opts = json_node_get_array (on);
              for (guint k = 0; k < json_array_get_length (opts); k++)
                {
                  JsonNode *o = json_array_get_element (opts, k);
                  g_autofree char *opath = g_strdup_printf ("%s[%u].", where, k);
                  const char *oid;

                  if (!JSON_NODE_HOLDS_OBJECT (o))
                    return fail (ctx, opath, "must be an object");
                  if (!(oid = get_string (ctx, json_node_get_object (o), "id", opath, TRUE)) ||
                      !get_string (ctx, json_node_get_object (o), "text", opath, TRUE))
                    return FALSE;
                  if (!is_identifier (oid) || g_hash_table_contains (opt_ids, oid))
                    return fail (ctx, opath, "id must be a unique identifier");
                  g_hash_table_add (opt_ids, (gpointer) oid);
                }
            }
          else if (g_str_equal (type, "text"))
            {
              gint64 max_len = 0;
              gboolean has_max;

              if (!get_int (ctx, q, "max_length", qpath, &max_len, &has_max))
                return FALSE;
              if (!has_max || max_len <= 0)
                {
                  g_free (where);
                  where = g_strdup_printf ("%smax_length", qpath);
                  return fail (ctx, where, "must be a positive integer");
                }
            }
        }
    }

  return TRUE;
}

static gboolean
load_candidates (Ctx        *ctx,
                 EkExam     *exam,
                 JsonObject *root,
                 const char *dir)
{
  JsonNode *node = json_object_get_member (root, "candidates");
  JsonArray *arr;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (json_node_get_array (node)) == 0)
    return fail (ctx, "candidates", "must be a non-empty array");
  arr = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *cn = json_array_get_element (arr, i);
      g_autofree char *path = g_strdup_printf ("candidates[%u].", i);
      g_autofree char *where = g_strdup_printf ("%sid_number", path);
      JsonObject *co;
      const char *id_number, *name, *seat, *photo, *face_token;
      gint64 extra_s = 0;
      gboolean has_extra = FALSE;
      EkCandidate *c;

      if (!JSON_NODE_HOLDS_OBJECT (cn))
        return fail (ctx, path, "must be an object");
      co = json_node_get_object (cn);
      if (!(id_number = get_string (ctx, co, "id_number", path, TRUE)) ||
          !(name = get_string (ctx, co, "name", path, TRUE)) ||
          !(seat = get_string (ctx, co, "seat", path, TRUE)))
        return FALSE;
      photo = get_string (ctx, co, "photo", path, FALSE);
      face_token = get_string (ctx, co, "face_token", path, FALSE);
      if (ctx->error && *ctx->error)
        return FALSE;
      if (!get_int (ctx, co, "extra_time_s", path, &extra_s, &has_extra))
        return FALSE;
      if (has_extra && (extra_s < 0 || extra_s > 4 * 3600))
        {
          g_free (where);
          where = g_strdup_printf ("%sextra_time_s", path);
          return fail (ctx, where, "must be between 0 and 14400 seconds");
        }

      if (!ek_id_number_is_valid (id_number))
        return fail (ctx, where, "is not a valid 18-character resident ID number (check digit)");
      if (ek_exam_find_candidate (exam, id_number) != NULL)
        return fail (ctx, where, "is not unique in the exam");

      c = g_new0 (EkCandidate, 1);
      c->id_number = g_ascii_strup (id_number, -1);
      c->name = g_strdup (name);
      c->seat = g_strdup (seat);
      c->face_token = g_strdup (face_token);
      c->extra_time_ms = extra_s * 1000;
      g_ptr_array_add (exam->candidates, c);

      if (photo != NULL)
        {
          c->photo_path = g_build_filename (dir, photo, NULL);
          if (!g_file_test (c->photo_path, G_FILE_TEST_IS_REGULAR))
            {
              g_free (where);
              where = g_strdup_printf ("%sphoto", path);
              return fail (ctx, where, "names a file that does not exist next to the exam file");
            }
        }
    }

  return TRUE;
}

static gboolean
load_attachments (Ctx        *ctx,
                  EkExam     *exam,
                  JsonObject *root,
                  const char *dir)
{
  JsonNode *node = json_object_get_member (root, "attachments");
  JsonArray *arr;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (ctx, "attachments", "must be an array");
  arr = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *an = json_array_get_element (arr, i);
      g_autofree char *path = g_strdup_printf ("attachments[%u].", i);
      g_autoptr(GError) local_error = NULL;
      JsonObject *ao;
      const char *id, *name, *media_type, *file;
      EkAttachment *a;

      if (!JSON_NODE_HOLDS_OBJECT (an))
        return fail (ctx, path, "must be an object");
      ao = json_node_get_object (an);
      if (!(id = get_string (ctx, ao, "id", path, TRUE)) ||
          !(name = get_string (ctx, ao, "name", path, TRUE)) ||
          !(media_type = get_string (ctx, ao, "media_type", path, TRUE)) ||
          !(file = get_string (ctx, ao, "file", path, TRUE)))
        return FALSE;
      if (!is_identifier (id))
        return fail (ctx, path, "id must match [A-Za-z0-9_.-]{1,64}");
      if (!in_list (media_type, media_types))
        return fail (ctx, path, "media_type must be text/plain, text/markdown, image/png or image/jpeg");
      for (guint k = 0; k < exam->attachments->len; k++)
        if (g_str_equal (((EkAttachment *) exam->attachments->pdata[k])->id, id))
          return fail (ctx, path, "id is not unique");

      a = g_new0 (EkAttachment, 1);
      a->id = g_strdup (id);
      a->name = g_strdup (name);
      a->media_type = g_strdup (media_type);
      a->path = g_build_filename (dir, file, NULL);
      g_ptr_array_add (exam->attachments, a);
      if (!hash_file (a->path, &a->size, &a->sha256, &local_error))
        {
          g_autofree char *where = g_strdup_printf ("%sfile", path);
          return fail (ctx, where, local_error->message);
        }
    }

  return TRUE;
}

/* The moment relative times count from: stored the first time this
 * data directory sees the exam, reused ever after. */
static gint64
exam_base_ms (sqlite3    *db,
              const char *exam_id,
              gint64      now_ms)
{
  g_autoptr(sqlite3_stmt) sel = ek_store_prepare (db, "SELECT base_ms FROM exam_times WHERE exam_id = ?1");

  sqlite3_bind_text (sel, 1, exam_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (sel) == SQLITE_ROW)
    return sqlite3_column_int64 (sel, 0);
  return now_ms;
}

static void
store_exam_times (sqlite3 *db,
                  EkExam  *exam,
                  gint64   base_ms)
{
  g_autoptr(sqlite3_stmt) ins = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *resolved = NULL;

  json_generator_set_root (gen, exam->exam_json);
  resolved = json_generator_to_data (gen, NULL);

  ins = ek_store_prepare (db, "INSERT INTO exam_times (exam_id, base_ms, resolved) VALUES (?1, ?2, ?3)"
                              " ON CONFLICT (exam_id) DO UPDATE SET resolved = ?3");
  sqlite3_bind_text (ins, 1, exam->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (ins, 2, base_ms);
  sqlite3_bind_text (ins, 3, resolved, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (ins) != SQLITE_DONE)
    g_warning ("cannot store the times of exam %s: %s", exam->id, sqlite3_errmsg (db));
}

static EkExam *
load_exam (const char  *path,
           sqlite3     *db,
           gint64       now_ms,
           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(EkExam) exam = g_new0 (EkExam, 1);
  g_autofree char *dir = g_path_get_dirname (path);
  Ctx ctx = { path, error };
  JsonNode *root_node, *exam_node, *steps_node, *tokens_node;
  JsonObject *root, *exam_obj, *client;
  JsonArray *client_phases;
  const char *id, *mode, *kind;
  gint64 base_ms, min_submit;
  gboolean has_face_login;

  if (!json_parser_load_from_file (parser, path, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  root_node = json_parser_get_root (parser);
  if (root_node == NULL || !JSON_NODE_HOLDS_OBJECT (root_node))
    {
      fail (&ctx, "(root)", "must be an object");
      return NULL;
    }
  root = json_node_get_object (root_node);

  exam->file = g_strdup (path);
  exam->phases = g_ptr_array_new_with_free_func (phase_free);
  exam->candidates = g_ptr_array_new_with_free_func (candidate_free);
  exam->attachments = g_ptr_array_new_with_free_func (attachment_free);

  exam_node = json_object_get_member (root, "exam");
  if (exam_node == NULL || !JSON_NODE_HOLDS_OBJECT (exam_node))
    {
      fail (&ctx, "exam", "must be an object");
      return NULL;
    }
  exam_obj = json_node_get_object (exam_node);

  if (!(id = get_string (&ctx, exam_obj, "id", "exam.", TRUE)) ||
      !get_string (&ctx, exam_obj, "title", "exam.", TRUE) ||
      !(mode = get_string (&ctx, exam_obj, "mode", "exam.", TRUE)) ||
      !(kind = get_string (&ctx, exam_obj, "kind", "exam.", TRUE)) ||
      !get_string (&ctx, exam_obj, "rules_text", "exam.", TRUE) ||
      !get_string (&ctx, exam_obj, "pledge_text", "exam.", TRUE) ||
      !get_string (&ctx, exam_obj, "pledge_version", "exam.", TRUE) ||
      !get_string (&ctx, exam_obj, "help_contact", "exam.", TRUE))
    return NULL;
  if (!is_identifier (id))
    {
      fail (&ctx, "exam.id", "must match [A-Za-z0-9_.-]{1,64}");
      return NULL;
    }
  if (!in_list (mode, exam_modes))
    {
      fail (&ctx, "exam.mode", "must be practice, device_test, mock or formal");
      return NULL;
    }
  if (!in_list (kind, exam_kinds))
    {
      fail (&ctx, "exam.kind", "must be interview or written");
      return NULL;
    }
  exam->id = g_strdup (id);
  exam->kind = g_strdup (kind);
  exam->pledge_version = g_strdup (json_object_get_string_member (exam_obj, "pledge_version"));

  base_ms = exam_base_ms (db, id, now_ms);
  if (!get_time (&ctx, exam_obj, "entry_opens", base_ms, TRUE, &exam->entry_opens_ms) ||
      !get_time (&ctx, exam_obj, "starts", base_ms, TRUE, &exam->starts_ms) ||
      !get_time (&ctx, exam_obj, "late_entry_cutoff", base_ms, TRUE, &exam->late_entry_cutoff_ms) ||
      !get_time (&ctx, exam_obj, "min_submit", base_ms, FALSE, &min_submit))
    return NULL;
  exam->min_submit_ms = min_submit;
  if (exam->entry_opens_ms > exam->starts_ms)
    {
      fail (&ctx, "exam.entry_opens_ms", "must not be after starts_ms");
      return NULL;
    }
  if (exam->starts_ms > exam->late_entry_cutoff_ms)
    {
      fail (&ctx, "exam.late_entry_cutoff_ms", "must not be before starts_ms");
      return NULL;
    }

  steps_node = json_object_get_member (exam_obj, "steps");
  if (steps_node != NULL && !JSON_NODE_HOLDS_OBJECT (steps_node))
    {
      fail (&ctx, "exam.steps", "must be an object of booleans");
      return NULL;
    }
  exam->steps = steps_node ? json_object_ref (json_node_get_object (steps_node)) : json_object_new ();
  {
    JsonObjectIter iter;
    const char *name;
    JsonNode *value;

    json_object_iter_init (&iter, exam->steps);
    while (json_object_iter_next (&iter, &name, &value))
      {
        g_autofree char *where = g_strdup_printf ("exam.steps.%s", name);

        if (!in_list (name, step_names))
          {
            fail (&ctx, where, "is not a known step");
            return NULL;
          }
        if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
          {
            fail (&ctx, where, "must be a boolean");
            return NULL;
          }
      }
  }

  if (json_object_has_member (exam_obj, "face_login"))
    {
      JsonNode *fl = json_object_get_member (exam_obj, "face_login");

      has_face_login = JSON_NODE_HOLDS_VALUE (fl) && json_node_get_value_type (fl) == G_TYPE_BOOLEAN;
      if (!has_face_login)
        {
          fail (&ctx, "exam.face_login", "must be a boolean");
          return NULL;
        }
      exam->face_login = json_node_get_boolean (fl);
    }

  /* What the client receives: the exam object with absolute times
   * only; other members pass through untouched. */
  exam->exam_json = json_node_copy (exam_node);
  client = json_node_get_object (exam->exam_json);
  client_phases = json_array_new ();
  if (!load_phases (&ctx, exam, exam_obj, client_phases))
    {
      json_array_unref (client_phases);
      return NULL;
    }
  if (exam->min_submit_ms >= 0 &&
      (exam->min_submit_ms < exam->starts_ms || exam->min_submit_ms > exam->ends_ms))
    {
      json_array_unref (client_phases);
      fail (&ctx, "exam.min_submit_ms", "must lie between starts_ms and the end of the last phase");
      return NULL;
    }
  if (exam->late_entry_cutoff_ms > exam->ends_ms)
    {
      json_array_unref (client_phases);
      fail (&ctx, "exam.late_entry_cutoff_ms", "must not be after the end of the last phase");
      return NULL;
    }
  json_object_set_array_member (client, "phases", client_phases);
  for (const char * const *n = (const char * const[]) { "entry_opens", "starts", "late_entry_cutoff", "min_submit", NULL }; *n; n++)
    {
      g_autofree char *rel = g_strdup_printf ("%s_in_s", *n);

      json_object_remove_member (client, rel);
    }
  json_object_set_int_member (client, "entry_opens_ms", exam->entry_opens_ms);
  json_object_set_int_member (client, "starts_ms", exam->starts_ms);
  json_object_set_int_member (client, "late_entry_cutoff_ms", exam->late_entry_cutoff_ms);
  if (exam->min_submit_ms >= 0)
    json_object_set_int_member (client, "min_submit_ms", exam->min_submit_ms);

  tokens_node = json_object_get_member (root, "exam_tokens");
  if (tokens_node == NULL || !JSON_NODE_HOLDS_ARRAY (tokens_node) ||
      json_array_get_length (json_node_get_array (tokens_node)) == 0)
    {
      fail (&ctx, "exam_tokens", "must be a non-empty array of strings");
      return NULL;
    }
  {
    JsonArray *tokens = json_node_get_array (tokens_node);
    guint n = json_array_get_length (tokens);

    exam->exam_tokens = g_new0 (char *, n + 1);
    for (guint i = 0; i < n; i++)
      {
        JsonNode *t = json_array_get_element (tokens, i);

        if (!JSON_NODE_HOLDS_VALUE (t) || json_node_get_value_type (t) != G_TYPE_STRING ||
            *json_node_get_string (t) == '\0')
          {
            fail (&ctx, "exam_tokens", "must be a non-empty array of non-empty strings");
            return NULL;
          }
        exam->exam_tokens[i] = g_strdup (json_node_get_string (t));
      }
  }

  if (!load_candidates (&ctx, exam, root, dir) ||
      !load_questions (&ctx, exam, root) ||
      !load_attachments (&ctx, exam, root, dir))
    return NULL;

  store_exam_times (db, exam, base_ms);
  return g_steal_pointer (&exam);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  /* g_ptr_array_sort hands pointers to the elements */
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

GPtrArray *
ek_exams_load (const char  *dir,
               sqlite3     *db,
               gint64       now_ms,
               GError     **error)
{
  g_autoptr(GPtrArray) exams = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_exam_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  g_autoptr(GHashTable) tokens = g_hash_table_new (g_str_hash, g_str_equal);
  const char *name;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  if (names->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: no *.json exam files", dir);
      return NULL;
    }

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      EkExam *exam = load_exam (path, db, now_ms, error);

      if (exam == NULL)
        return NULL;
      for (guint k = 0; k < exams->len; k++)
        if (g_str_equal (((EkExam *) exams->pdata[k])->id, exam->id))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "%s: member 'exam.id': '%s' is already used by %s",
                         path, exam->id, ((EkExam *) exams->pdata[k])->file);
            ek_exam_free (exam);
            return NULL;
          }
      for (char **t = exam->exam_tokens; *t; t++)
        {
          if (g_hash_table_contains (tokens, *t))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "%s: member 'exam_tokens': '%s' is used by another exam", path, *t);
              ek_exam_free (exam);
              return NULL;
            }
          g_hash_table_add (tokens, *t);
        }
      g_ptr_array_add (exams, exam);
    }

  return g_steal_pointer (&exams);
}

EkCandidate *
ek_exam_find_candidate (EkExam     *exam,
                        const char *id_number)
{
  for (guint i = 0; i < exam->candidates->len; i++)
    {
      EkCandidate *c = exam->candidates->pdata[i];

      if (g_ascii_strcasecmp (c->id_number, id_number) == 0)
        return c;
    }
  return NULL;
}

/* The end of the exam for candidate @id_number: the last phase's end plus the extra time
 * granted to them. Every deadline the server enforces for a session comes from here. */
gint64
ek_exam_ends_ms_for (EkExam     *exam,
                     const char *id_number)
{
  EkCandidate *c = id_number != NULL ? ek_exam_find_candidate (exam, id_number) : NULL;

  return exam->ends_ms + (c != NULL ? c->extra_time_ms : 0);
}

/* Returns: (transfer full): the exam definition as candidate @id_number gets it: with
 * extra time, the last phase ends that much later (the client counts down to it and never
 * adds time itself). */
JsonNode *
ek_exam_json_for (EkExam     *exam,
                  const char *id_number)
{
  gint64 ends_ms = ek_exam_ends_ms_for (exam, id_number);
  g_autofree char *text = NULL;
  JsonNode *node;
  JsonArray *phases;
  JsonObject *last;

  if (ends_ms == exam->ends_ms)
    return json_node_copy (exam->exam_json);

  /* A deep copy (json_node_copy() shares the object): the shared definition stays. */
  text = json_to_string (exam->exam_json, FALSE);
  node = json_from_string (text, NULL);
  phases = json_object_get_array_member (json_node_get_object (node), "phases");
  last = json_array_get_object_element (phases, json_array_get_length (phases) - 1);
  json_object_set_int_member (last, "ends_ms", ends_ms);
  return node;
}

EkPhase *
ek_exam_find_phase (EkExam     *exam,
                    const char *phase_id)
{
  for (guint i = 0; i < exam->phases->len; i++)
    {
      EkPhase *p = exam->phases->pdata[i];

      if (g_str_equal (p->id, phase_id))
        return p;
    }
  return NULL;
}

JsonArray *
ek_exam_get_questions (EkExam     *exam,
                       const char *phase_id)
{
  EkPhase *phase = ek_exam_find_phase (exam, phase_id);
  JsonNode *node;

  if (phase == NULL)
    return NULL;
  node = json_object_get_member (exam->questions, phase_id);
  if (node != NULL)
    return json_node_get_array (node);

  /* An interview's answering phase shows the questions that were read
   * in the reading phase before it. */
  if (g_str_equal (exam->kind, "interview") && g_str_equal (phase->kind, "answering"))
    {
      for (guint i = exam->phases->len; i-- > 0;)
        {
          EkPhase *p = exam->phases->pdata[i];

          if (p->starts_ms < phase->starts_ms && g_str_equal (p->kind, "reading") &&
              (node = json_object_get_member (exam->questions, p->id)) != NULL)
            return json_node_get_array (node);
        }
    }
  return NULL;
}

JsonObject *
ek_exam_find_question (EkExam      *exam,
                       const char  *question_id,
                       EkPhase    **phase_out)
{
  /* Phases are in time order, so the first hit is the phase that
   * releases the question first. */
  for (guint i = 0; i < exam->phases->len; i++)
    {
      EkPhase *p = exam->phases->pdata[i];
      JsonArray *qs = ek_exam_get_questions (exam, p->id);

      if (qs == NULL)
        continue;
      for (guint k = 0; k < json_array_get_length (qs); k++)
        {
          JsonObject *q = json_array_get_object_element (qs, k);

          if (g_str_equal (json_object_get_string_member (q, "id"), question_id))
            {
              if (phase_out)
                *phase_out = p;
              return q;
            }
        }
    }
  return NULL;
}

gboolean
ek_exam_step_required (EkExam     *exam,
                       const char *step)
{
  if (g_str_equal (step, "pledge") || g_str_equal (step, "device_confirm"))
    return TRUE;
  if (!json_object_has_member (exam->steps, step))
    return FALSE;
  return json_object_get_boolean_member (exam->steps, step);
}
