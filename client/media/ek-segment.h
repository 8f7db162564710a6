/* ek-segment.h: one closed, hashed recording segment
 *
 * EkRecorder emits "segment-ready" with one of these for every segment file that
 * splitmuxsink has closed and that has been hashed; the outbox takes it from there.
 * Immutable once made, reference counted, safe to pass between threads.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Stream names, as they appear in file names, outbox rows and tus metadata. */
#define EK_SEGMENT_STREAM_CAMERA    "camera"
#define EK_SEGMENT_STREAM_SCREEN    "screen"
#define EK_SEGMENT_STREAM_ROOM_SCAN "room_scan"

#define EK_TYPE_SEGMENT (ek_segment_get_type ())

typedef struct _EkSegment EkSegment;

GType        ek_segment_get_type        (void) G_GNUC_CONST;

EkSegment   *ek_segment_new             (const char *stream,
                                         guint       index,
                                         const char *path,
                                         guint64     size,
                                         const char *sha256_hex,
                                         gint64      start_ns,
                                         gint64      end_ns);
EkSegment   *ek_segment_ref             (EkSegment  *self);
void         ek_segment_unref           (EkSegment  *self);

const char  *ek_segment_get_stream      (const EkSegment *self);
guint        ek_segment_get_index       (const EkSegment *self);
const char  *ek_segment_get_path        (const EkSegment *self);
guint64      ek_segment_get_size        (const EkSegment *self);
const char  *ek_segment_get_sha256      (const EkSegment *self);
gint64       ek_segment_get_start_ns    (const EkSegment *self);
gint64       ek_segment_get_end_ns      (const EkSegment *self);
gint64       ek_segment_get_duration_ns (const EkSegment *self);

gboolean     ek_segment_stream_is_valid (const char *stream);

/* Segment files are named STREAM-NNNNN.mkv (index in decimal, at least five
 * digits) in the session's folder. */
char        *ek_segment_make_file_name  (const char *stream,
                                         guint       index);
gboolean     ek_segment_parse_file_name (const char *basename,
                                         const char **stream,
                                         guint      *index);
/* A segment sealed for the examining body (ek-seal.h) is STREAM-NNNNN.mkv.sealed. */
char        *ek_segment_make_sealed_file_name  (const char *stream,
                                                guint       index);
gboolean     ek_segment_parse_sealed_file_name (const char  *basename,
                                                const char **stream,
                                                guint       *index);

/* Hashes a segment file in a worker thread (after an fsync, so the hash is
 * of what is on the disk). For the recorder, and for whoever recovers the
 * files of a recorder that was killed: those get start_ns = end_ns = 0. */
void         ek_segment_hash_file_async  (const char          *stream,
                                          guint                index,
                                          const char          *path,
                                          gint64               start_ns,
                                          gint64               end_ns,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
EkSegment   *ek_segment_hash_file_finish (GAsyncResult        *result,
                                          GError             **error);

/* Seals a closed plain segment file for the exam's public key (32 bytes) in a
 * worker thread, into PATH.sealed, removes the plain file and hashes the sealed
 * one: the segment returned (by ek_segment_hash_file_finish()) is the sealed file. */
void         ek_segment_seal_file_async  (const char          *stream,
                                          guint                index,
                                          const char          *path,
                                          gint64               start_ns,
                                          gint64               end_ns,
                                          GBytes              *public_key,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkSegment, ek_segment_unref)

G_END_DECLS
