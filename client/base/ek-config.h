/* ek-config.h: the kiosk's configuration (a key file set up by the technician) */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EK_CONFIG_ERROR (ek_config_error_quark ())

typedef enum
{
  EK_CONFIG_ERROR_NOT_FOUND,
  EK_CONFIG_ERROR_PARSE,
  EK_CONFIG_ERROR_INVALID_VALUE,
  EK_CONFIG_ERROR_DATA_DIR,
  EK_CONFIG_ERROR_UNKNOWN_KEY,
} EkConfigError;

typedef enum
{
  EK_MEDIA_SOURCE_AUTO,   /* real camera and microphone from GstDeviceMonitor */
  EK_MEDIA_SOURCE_TEST,   /* GStreamer test sources: tests and machines without hardware */
} EkMediaSource;

#define EK_TYPE_CONFIG (ek_config_get_type ())

G_DECLARE_FINAL_TYPE (EkConfig, ek_config, EK, CONFIG, GObject)

GQuark         ek_config_error_quark     (void);

EkConfig      *ek_config_new             (void);
EkConfig      *ek_config_load            (const char  *path,
                                          GError     **error);
EkConfig      *ek_config_load_files      (const char  *user_path,
                                          const char  *system_path,
                                          GError     **error);
EkConfig      *ek_config_dup_for_formal  (EkConfig    *self);
EkConfig      *ek_config_get_system      (EkConfig    *self);
const char * const *ek_config_get_ignored_in_formal (EkConfig *self);
gboolean       ek_config_load_from_data  (EkConfig    *self,
                                          const char  *data,
                                          gssize       length,
                                          const char  *source,
                                          GError     **error);
const char    *ek_config_get_source      (EkConfig    *self);
const char    *ek_config_get_server_url  (EkConfig    *self);
const char    *ek_config_get_pinned_key  (EkConfig    *self);
const char    *ek_config_get_ca_file     (EkConfig    *self);
const char    *ek_config_get_data_dir    (EkConfig    *self);
EkMediaSource  ek_config_get_media_source (EkConfig   *self);
const char    *ek_config_get_face_login_exam (EkConfig *self);
const char    *ek_config_get_proxy       (EkConfig    *self);
const char    *ek_config_get_language    (EkConfig    *self);
const char    *ek_config_get_quit_password_hash (EkConfig *self);
gboolean       ek_config_ensure_data_dir (EkConfig    *self,
                                          GError     **error);

gboolean       ek_server_url_is_acceptable (const char  *url,
                                            GError     **error);

G_END_DECLS
