/* ek-tus-client-private.h: what the tus client's files share
 *
 * EkTusClient is ek-tus-client.c (the upload state machine), ek-tus-checksum.c
 * (the checksum extension's per-chunk SHA-256, computed a chunk ahead in a thread)
 * and ek-tus-headers.c (what the server's answers say, as pure functions).
 */
#pragma once

#include "ek-tus-client.h"

G_BEGIN_DECLS

typedef struct
{
  guint64   offset;
  guint64   length;
  char     *base64;                   /* nullable: still being computed */
  gboolean  running;
} ChunkSum;

typedef struct
{
  EkTusClient     *client;            /* borrowed: the task's source object */
  char            *path;
  guint64          size;
  char            *metadata;          /* the encoded Upload-Metadata value */
  char            *url;               /* nullable: not created yet */
  guint64          offset;            /* confirmed by the server */
  gboolean         need_head;
  guint            failures;          /* in a row, without progress */
  GError          *last_error;

  guint64          chunk_length;      /* of the PATCH in flight */
  guint64          chunk_sent;
  guint64          chunk_notified;
  gboolean         waiting_for_sum;
  GPtrArray       *sums;              /* ChunkSum, owned */

  GSource         *backoff_source;    /* owned, nullable */
  GSource         *cancel_source;     /* owned, nullable */

  EkTusUploadFunc  func;
  EkTusSaveUrlFunc save_url;          /* nullable */
  gpointer         func_data;
  GDestroyNotify   func_destroy;
  gboolean         saving_url;        /* no byte goes before the caller stored the URL */
} Upload;

void      _ek_tus_client_upload_step  (GTask       *task);
GError   *_ek_tus_client_file_error   (const char  *path,
                                       const char  *detail);

/* ek-tus-checksum.c */
void      _ek_tus_chunk_sum_free      (gpointer     data);
ChunkSum *_ek_tus_find_sum            (Upload      *up,
                                       guint64      offset,
                                       guint64      length);
ChunkSum *_ek_tus_want_sum            (GTask       *task,
                                       guint64      offset,
                                       guint64      length);

/* ek-tus-headers.c */
void      _ek_tus_read_options        (EkHttpResponse  *response,
                                       gboolean        *checksum,
                                       guint64         *max_size);
char     *_ek_tus_read_location       (EkHttpResponse  *response,
                                       const char      *endpoint,
                                       char           **detail);
gboolean  _ek_tus_read_head           (EkHttpResponse  *response,
                                       guint64          size,
                                       guint64         *offset);
char     *_ek_tus_read_refusal        (EkHttpResponse  *response);
gboolean  _ek_tus_read_patch          (EkHttpResponse  *response,
                                       guint64          previous,
                                       guint64          size,
                                       guint64         *offset);

G_END_DECLS
