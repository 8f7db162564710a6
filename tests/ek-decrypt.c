/* ek-decrypt.c: opens recording files sealed for the examining body (ek-seal.h)
 *
 * ek-decrypt --keygen SECRET_FILE
 *     makes a key pair: the private key goes into SECRET_FILE (base64, 0600), the
 *     public key (base64, as the exam's `recording.public_key`) to stdout
 * ek-decrypt --public-key SECRET_FILE
 *     prints the public key of the private key in SECRET_FILE
 * ek-decrypt SECRET_FILE SEALED OUT
 *     opens SEALED into OUT. Exit status 0: opened whole; 3: cut short, OUT holds
 *     every whole chunk before the cut; 4: the key does not open it; 1: any other
 *     failure (not a sealed file, a damaged chunk, I/O)
 *
 * The examining body's side, for the tests and the benchmark; the kiosk never
 * holds a private key.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "ek-seal.h"

static gboolean
read_secret (const char *path,
             guint8      secret[EK_SEAL_KEY_BYTES],
             guint8      public[EK_SEAL_KEY_BYTES],
             GError    **error)
{
  g_autofree char *text = NULL;
  g_autofree guchar *bytes = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;

  g_strstrip (text);
  bytes = g_base64_decode (text, &len);
  if (len != EK_SEAL_KEY_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s does not hold a private key (base64 of 32 bytes)", path);
      return FALSE;
    }

  memcpy (secret, bytes, EK_SEAL_KEY_BYTES);
  sodium_memzero (bytes, len);
  crypto_scalarmult_base (public, secret);
  return TRUE;
}

static int
keygen (const char *path)
{
  guint8 public[EK_SEAL_KEY_BYTES];
  guint8 secret[EK_SEAL_KEY_BYTES];
  g_autofree char *public_b64 = NULL;
  g_autofree char *secret_b64 = NULL;
  g_autoptr(GError) error = NULL;

  ek_seal_make_key_pair (public, secret);
  secret_b64 = g_base64_encode (secret, sizeof secret);
  public_b64 = g_base64_encode (public, sizeof public);
  sodium_memzero (secret, sizeof secret);

  if (!g_file_set_contents_full (path, secret_b64, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &error))
    {
      fprintf (stderr, "ek-decrypt: %s\n", error->message);
      return 1;
    }

  printf ("%s\n", public_b64);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  guint8 public[EK_SEAL_KEY_BYTES];
  guint8 secret[EK_SEAL_KEY_BYTES];
  g_autoptr(GError) error = NULL;
  guint64 size = 0;
  gboolean ok;

  if (!ek_seal_init (&error))
    {
      fprintf (stderr, "ek-decrypt: %s\n", error->message);
      return 1;
    }

  if (argc == 3 && g_str_equal (argv[1], "--keygen"))
    return keygen (argv[2]);

  if (argc == 3 && g_str_equal (argv[1], "--public-key"))
    {
      g_autofree char *b64 = NULL;

      if (!read_secret (argv[2], secret, public, &error))
        {
          fprintf (stderr, "ek-decrypt: %s\n", error->message);
          return 1;
        }
      b64 = g_base64_encode (public, sizeof public);
      printf ("%s\n", b64);
      return 0;
    }

  if (argc != 4)
    {
      fprintf (stderr, "usage: %s --keygen SECRET_FILE | --public-key SECRET_FILE |"
                       " SECRET_FILE SEALED OUT\n", argv[0]);
      return 2;
    }

  if (!read_secret (argv[1], secret, public, &error))
    {
      fprintf (stderr, "ek-decrypt: %s\n", error->message);
      return 1;
    }

  ok = ek_seal_open_file (argv[2], argv[3], public, secret, &size, &error);
  sodium_memzero (secret, sizeof secret);
  if (ok)
    {
      printf ("opened %" G_GUINT64_FORMAT " bytes\n", size);
      return 0;
    }

  fprintf (stderr, "ek-decrypt: %s: %s\n", argv[2], error->message);
  if (g_error_matches (error, EK_SEAL_ERROR, EK_SEAL_ERROR_TRUNCATED))
    return 3;
  if (g_error_matches (error, EK_SEAL_ERROR, EK_SEAL_ERROR_KEY))
    return 4;
  return 1;
}
