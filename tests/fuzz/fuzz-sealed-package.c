/* fuzz-sealed-package.c: the sealed questions package (client/exam/ek-sealed-package.c)
 *
 * The package comes from the exam server ahead of time; its key at check-in. Both are
 * outside input, but the package's JSON sits behind AES-256-GCM, which random bytes
 * never get through. So each input is used three ways:
 * - as the package itself, against a key and the hash and size it does (not) have:
 *   the header, the lengths and the tag check (ek_sealed_package_check, open_phase);
 * - as the opened package's JSON: sealed here with a fixed key for exam "e1" as the
 *   server seals it, then opened for the phases "p1", "p2" and "" (the reading the
 *   engine does at a phase's start, ek_api_parse_questions included); what comes out
 *   must be a question list the kiosk can build;
 * - its first line as the key released at check-in, for a package sealed with the
 *   fixed key.
 */

#include "config.h"

#include <string.h>

#include <openssl/evp.h>

#include "ek-fuzz.h"
#include "ek-question.h"
#include "ek-sealed-package.h"

static const guint8 key[EK_SEALED_KEY_BYTES] = {
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};
static const guint8 iv[EK_SEALED_IV_BYTES] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2 };

/* MAGIC || IV || AES-256-GCM(plain) || TAG with MAGIC || exam id as additional data */
static GBytes *
seal (const guint8 *plain,
      gsize         len,
      const char   *exam_id)
{
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  g_autofree char *aad = g_strconcat (EK_SEALED_MAGIC, exam_id, NULL);
  const gsize head = strlen (EK_SEALED_MAGIC) + EK_SEALED_IV_BYTES;
  guint8 *out = g_malloc (head + len + EK_SEALED_TAG_BYTES);
  int n = 0, final_n = 0;

  memcpy (out, EK_SEALED_MAGIC, strlen (EK_SEALED_MAGIC));
  memcpy (out + strlen (EK_SEALED_MAGIC), iv, sizeof iv);
  if (EVP_EncryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL) != 1 ||
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, sizeof iv, NULL) != 1 ||
      EVP_EncryptInit_ex (ctx, NULL, NULL, key, iv) != 1 ||
      EVP_EncryptUpdate (ctx, NULL, &n, (const guint8 *) aad, (int) strlen (aad)) != 1 ||
      EVP_EncryptUpdate (ctx, out + head, &n, plain, (int) len) != 1 ||
      EVP_EncryptFinal_ex (ctx, out + head + n, &final_n) != 1 ||
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, EK_SEALED_TAG_BYTES,
                           out + head + n + final_n) != 1)
    abort ();
  EVP_CIPHER_CTX_free (ctx);
  return g_bytes_new_take (out, head + len + EK_SEALED_TAG_BYTES);
}

static void
expect_error (GError *error,
              gint    code)
{
  if (!g_error_matches (error, EK_SEALED_ERROR, code) || error->message[0] == '\0')
    {
      fprintf (stderr, "expected sealed error %d, got %s\n", code,
               error != NULL ? error->message : "none");
      abort ();
    }
}

static void
open_phases (GBytes     *package,
             const char *key_b64,
             const char *exam_id)
{
  static const char * const phases[] = { "p1", "p2", "" };

  for (guint i = 0; i < G_N_ELEMENTS (phases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonArray) questions = ek_sealed_package_open_phase (package, key_b64, exam_id,
                                                                    phases[i], &error);

      if (questions == NULL)
        {
          if (error == NULL || error->message[0] == '\0')
            abort ();
          continue;
        }

      /* What the engine does with them next. */
      {
        g_autoptr(GListModel) list = ek_question_list_new_from_json (questions, &error);

        if (list == NULL && (error == NULL || error->message[0] == '\0'))
          abort ();
      }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *key_b64 = g_base64_encode (key, sizeof key);
  g_autoptr(GBytes) raw = g_bytes_new (data, size);
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;

  /* The input as the package. */
  hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, raw);
  if (!ek_sealed_package_check (raw, hash, (gint64) size, &error) ||
      ek_sealed_package_check (raw, hash, (gint64) size + 1, NULL))
    abort ();
  if (ek_sealed_package_check (raw, "00", (gint64) size, &error))
    abort ();
  expect_error (error, EK_SEALED_ERROR_HASH);
  open_phases (raw, key_b64, "e1");

  /* The input as the package's JSON: it opens only for its own exam. */
  sealed = seal (data, size, "e1");
  open_phases (sealed, key_b64, "e1");
  g_clear_error (&error);
  if (ek_sealed_package_open_phase (sealed, key_b64, "e2", "p1", &error) != NULL)
    abort ();
  expect_error (error, EK_SEALED_ERROR_KEY);

  /* The input's first line as the key. */
  {
    const char *end = memchr (data, '\n', size);
    g_autofree char *line = g_strndup ((const char *) data, end != NULL ? (gsize) (end - (const char *) data) : size);

    open_phases (sealed, line, "e1");
  }

  return 0;
}
