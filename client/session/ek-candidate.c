/* ek-candidate.c: the candidate record the server sends */

#include "config.h"

#include "ek-candidate.h"
#include "ek-json.h"

struct _EkCandidate
{
  GObject   parent_instance;

  char     *name;
  char     *id_number_masked;
  char     *seat;
  gboolean  photo_registered;
  gint64    extra_time_ms;
};

G_DEFINE_FINAL_TYPE (EkCandidate, ek_candidate, G_TYPE_OBJECT)

/* The server must never send the full ID number back: refuse a record that looks
 * like one, rather than show and keep it. */
static gboolean
is_masked (const char *id_number)
{
  return strchr (id_number, '*') != NULL;
}

static void
ek_candidate_finalize (GObject *object)
{
  EkCandidate *self = (EkCandidate *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->id_number_masked, g_free);
  g_clear_pointer (&self->seat, g_free);

  G_OBJECT_CLASS (ek_candidate_parent_class)->finalize (object);
}

static void
ek_candidate_class_init (EkCandidateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_candidate_finalize;
}

static void
ek_candidate_init (EkCandidate *self)
{
}

EkCandidate *
ek_candidate_new_from_json (JsonObject  *object,
                            GError     **error)
{
  g_autoptr(EkCandidate) self = g_object_new (EK_TYPE_CANDIDATE, NULL);
  const char *name = NULL;
  const char *masked = NULL;
  const char *seat = NULL;

  g_return_val_if_fail (object != NULL, NULL);

  if (!ek_json_read_string (object, "name", TRUE, &name, error) ||
      !ek_json_read_string (object, "id_number_masked", TRUE, &masked, error) ||
      !ek_json_read_string (object, "seat", TRUE, &seat, error) ||
      !ek_json_read_bool (object, "photo_registered", FALSE, &self->photo_registered, error) ||
      !ek_json_read_int (object, "extra_time_ms", FALSE, 0, G_GINT64_CONSTANT (86400000),
                         &self->extra_time_ms, error))
    {
      g_prefix_error (error, "candidate: ");
      return NULL;
    }

  if (!is_masked (masked))
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                   "candidate: id_number_masked is not masked");
      return NULL;
    }

  self->name = g_strdup (name);
  self->id_number_masked = g_strdup (masked);
  self->seat = g_strdup (seat);

  return g_steal_pointer (&self);
}

const char *
ek_candidate_get_name (EkCandidate *self)
{
  g_return_val_if_fail (EK_IS_CANDIDATE (self), NULL);
  return self->name;
}

const char *
ek_candidate_get_id_number_masked (EkCandidate *self)
{
  g_return_val_if_fail (EK_IS_CANDIDATE (self), NULL);
  return self->id_number_masked;
}

const char *
ek_candidate_get_seat (EkCandidate *self)
{
  g_return_val_if_fail (EK_IS_CANDIDATE (self), NULL);
  return self->seat;
}

gboolean
ek_candidate_get_photo_registered (EkCandidate *self)
{
  g_return_val_if_fail (EK_IS_CANDIDATE (self), FALSE);
  return self->photo_registered;
}

/**
 * ek_candidate_get_extra_time_ms:
 *
 * Returns: the extra time the examining body granted this candidate, already in the
 *   exam's deadlines as the server sent them; only to be shown, never added
 */
gint64
ek_candidate_get_extra_time_ms (EkCandidate *self)
{
  g_return_val_if_fail (EK_IS_CANDIDATE (self), 0);

  return self->extra_time_ms;
}
