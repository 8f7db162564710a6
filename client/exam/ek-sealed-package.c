/* ek-sealed-package.c: the sealed questions package (docs/protocol.md section 6.1) */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <openssl/evp.h>

#include "ek-api-parsers.h"
#include "ek-json.h"
#include "ek-sealed-package.h"

G_DEFINE_QUARK (ek-sealed-error-quark, ek_sealed_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)

/**
 * ek_sealed_package_check:
 * @sha256: the package's SHA-256 from the exam definition
 * @size: its size from the exam definition
 *
 * Returns: whether @package is the one the exam names; else a translated error
 */
gboolean
ek_sealed_package_check (GBytes      *package,
                         const char  *sha256,
                         gint64       size,
                         GError     **error)
{
  g_autofree char *hash = NULL;

  g_return_val_if_fail (package != NULL, FALSE);
  g_return_val_if_fail (sha256 != NULL, FALSE);

  hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, package);
  if ((gint64) g_bytes_get_size (package) != size || g_ascii_strcasecmp (hash, sha256) != 0)
    {
      g_set_error_literal (error, EK_SEALED_ERROR, EK_SEALED_ERROR_HASH,
                           _("The exam's questions arrived damaged or altered, so this "
                             "computer refused them. The questions will be fetched again; "
                             "keep the computer connected to the network."));
      return FALSE;
    }

  return TRUE;
}

/* AES-256-GCM over MAGIC || IV || CIPHERTEXT || TAG, with MAGIC || exam id as the
 * additional data, so a package of another exam does not open. */
static char *
decrypt (GBytes      *package,
         const char  *key_b64,
         const char  *exam_id,
         gsize       *out_len,
         GError     **error)
{
  g_autoptr(EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new ();
  g_autofree guint8 *key = NULL;
  g_autofree char *plain = NULL;
  gsize key_len = 0, len = 0;
  const guint8 *data = g_bytes_get_data (package, &len);
  const gsize head = strlen (EK_SEALED_MAGIC) + EK_SEALED_IV_BYTES;
  g_autofree char *aad = g_strconcat (EK_SEALED_MAGIC, exam_id, NULL);
  int n = 0, final_n = 0;
  gboolean ok;

  key = g_base64_decode (key_b64, &key_len);
  if (key_len != EK_SEALED_KEY_BYTES || len < head + EK_SEALED_TAG_BYTES ||
      memcmp (data, EK_SEALED_MAGIC, strlen (EK_SEALED_MAGIC)) != 0 || ctx == NULL)
    {
      if (key != NULL)
        explicit_bzero (key, key_len);
      g_set_error_literal (error, EK_SEALED_ERROR, EK_SEALED_ERROR_KEY,
                           _("The exam's questions could not be opened on this computer. "
                             "Tell the proctor; the questions will be fetched from the exam "
                             "server instead."));
      return NULL;
    }

  plain = g_malloc (len - head - EK_SEALED_TAG_BYTES + 1);
  ok = EVP_DecryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL) == 1 &&
       EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, EK_SEALED_IV_BYTES, NULL) == 1 &&
       EVP_DecryptInit_ex (ctx, NULL, NULL, key, data + strlen (EK_SEALED_MAGIC)) == 1 &&
       EVP_DecryptUpdate (ctx, NULL, &n, (const guint8 *) aad, (int) strlen (aad)) == 1 &&
       EVP_DecryptUpdate (ctx, (guint8 *) plain, &n, data + head,
                          (int) (len - head - EK_SEALED_TAG_BYTES)) == 1 &&
       EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, EK_SEALED_TAG_BYTES,
                            (void *) (data + len - EK_SEALED_TAG_BYTES)) == 1 &&
       EVP_DecryptFinal_ex (ctx, (guint8 *) plain + n, &final_n) == 1;
  explicit_bzero (key, key_len);

  if (!ok)
    {
      g_set_error_literal (error, EK_SEALED_ERROR, EK_SEALED_ERROR_KEY,
                           _("The exam's questions could not be opened on this computer. "
                             "Tell the proctor; the questions will be fetched from the exam "
                             "server instead."));
      return NULL;
    }

  *out_len = (gsize) (n + final_n);
  plain[*out_len] = '\0';
  return g_steal_pointer (&plain);
}

/**
 * ek_sealed_package_open_phase:
 * @key_b64: the key released at check-in (base64 of 32 bytes)
 *
 * Decrypts @package and returns one phase's questions, checked as an answer of
 * `GET /v1/session/questions` would be. The caller decides when a phase may be
 * opened (at its start in server time). Blocking for a large package: call it in
 * a thread.
 *
 * Returns: (transfer full): the questions, or %NULL with an %EK_SEALED_ERROR
 */
JsonArray *
ek_sealed_package_open_phase (GBytes      *package,
                              const char  *key_b64,
                              const char  *exam_id,
                              const char  *phase_id,
                              GError     **error)
{
  g_autofree char *plain = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonArray *phases = NULL;
  const char *package_exam = NULL;
  gsize len = 0;

  g_return_val_if_fail (package != NULL && key_b64 != NULL, NULL);
  g_return_val_if_fail (exam_id != NULL && phase_id != NULL, NULL);

  plain = decrypt (package, key_b64, exam_id, &len, error);
  if (plain == NULL)
    return NULL;

  root = ek_json_parse_object (plain, len, &local_error);
  explicit_bzero (plain, len);
  if (root == NULL ||
      !ek_json_read_string (root, "exam_id", TRUE, &package_exam, &local_error) ||
      !ek_json_read_array (root, "phases", TRUE, &phases, &local_error) ||
      !g_str_equal (package_exam, exam_id))
    goto malformed;

  for (guint i = 0; i < json_array_get_length (phases); i++)
    {
      JsonNode *node = json_array_get_element (phases, i);
      JsonObject *phase;
      const char *id = NULL;

      /* every phase named by a string: not only the one asked for */
      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          !ek_json_read_string ((phase = json_node_get_object (node)), "phase", TRUE, &id, &local_error))
        goto malformed;
      if (!g_str_equal (id, phase_id))
        continue;

      {
        JsonArray *questions = ek_api_parse_questions (phase, phase_id, &local_error);

        if (questions == NULL)
          goto malformed;
        return questions;
      }
    }

malformed:
  g_debug ("Sealed questions: %s", local_error != NULL ? local_error->message : "no such phase");
  g_set_error_literal (error, EK_SEALED_ERROR, EK_SEALED_ERROR_FORMAT,
                       _("The exam's questions on this computer do not belong to this exam. "
                         "Tell the proctor; the questions will be fetched from the exam "
                         "server instead."));
  return NULL;
}
