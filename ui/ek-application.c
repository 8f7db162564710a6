/* ek-application.c: the ExamKiosk application: command line, resources, style, windows */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "ek-a11y.h"
#include "ek-application.h"
#include "ek-quit-password-cli.h"
#include "ek-resources.h"
#include "ek-self-check-cli.h"
#include "ek-session-notice.h"
#include "ek-session-type.h"
#ifdef EK_ENABLE_TEST_HOOKS
#include "ek-test-hooks.h"
#endif
#include "ek-window.h"
#ifdef EK_ENABLE_TEST_HOOKS
#include "ek-lockdown-test.h"
#endif

struct _EkApplication
{
  GtkApplication  parent_instance;

  EkConfig       *config;        /* owned; loaded in handle_local_options */
  char           *initial_mode;  /* owned; NULL: the start page */
  GtkCssProvider *css_provider;  /* owned; between startup and shutdown */
  char           *lockdown_test; /* owned; --lockdown-test FILE (test hooks only) */
};

G_DEFINE_FINAL_TYPE (EkApplication, ek_application, GTK_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_INITIAL_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry option_entries[] = {
  { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { "config", 'c', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
    N_("Read the configuration from FILE"), N_("FILE") },
  { "practice", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Start the offline practice exam directly"), NULL },
  { "self-check", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Check this device for the exam, print the results and exit"), NULL },
  { "json", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
    N_("With --self-check, also write the results as JSON to FILE"), N_("FILE") },
  { "html", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
    N_("With --self-check, also write the results as an HTML page to FILE"), N_("FILE") },
  { "server", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
    N_("With --self-check, measure the exam server at URL instead of the configured one"),
    N_("URL") },
  { "quit-password-hash", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Read the technician's quit password and print its hash for [lockdown] quit-password-hash"),
    NULL },
  { NULL }
};

#ifdef EK_ENABLE_TEST_HOOKS
static const GOptionEntry test_option_entries[] = {
  { "lockdown-test", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
    "Test hooks: show a window in formal lockdown under the policy in FILE and log what "
    "it observes", "FILE" },
  { NULL }
};
#endif

/* [general] language: the kiosk speaks it whatever the account's locale. gettext
 * reads LANGUAGE at each lookup but ignores it under the C locale. */
static void
apply_language (EkConfig *config)
{
  const char *language = ek_config_get_language (config);
  const char *messages;

  if (language == NULL)
    return;

  messages = setlocale (LC_MESSAGES, NULL);
  if (messages == NULL || g_str_equal (messages, "C") || g_str_equal (messages, "POSIX"))
    setlocale (LC_MESSAGES, "C.UTF-8");
  g_setenv ("LANGUAGE", language, TRUE);
}

static int
ek_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  EkApplication *self = EK_APPLICATION (app);
  const char *config_path = NULL;
  gboolean self_check = g_variant_dict_contains (options, "self-check");

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", "exam-kiosk", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  /* Needs no configuration: the hash goes into it. */
  if (g_variant_dict_contains (options, "quit-password-hash"))
    return ek_quit_password_cli_run ();

  if (!self_check && g_variant_dict_contains (options, "json"))
    {
      g_printerr ("%s\n", _("The --json option can only be used with --self-check."));
      return EXIT_FAILURE;
    }

  if (!self_check && g_variant_dict_contains (options, "html"))
    {
      g_printerr ("%s\n", _("The --html option can only be used with --self-check."));
      return EXIT_FAILURE;
    }

  if (!self_check && g_variant_dict_contains (options, "server"))
    {
      g_printerr ("%s\n", _("The --server option can only be used with --self-check."));
      return EXIT_FAILURE;
    }

  g_variant_dict_lookup (options, "config", "^&ay", &config_path);

#ifdef EK_ENABLE_TEST_HOOKS
  {
    const char *lockdown_test = NULL;

    if (g_variant_dict_lookup (options, "lockdown-test", "^&ay", &lockdown_test))
      {
        g_free (self->lockdown_test);
        self->lockdown_test = g_strdup (lockdown_test);
      }
  }
#endif

  /* Fail here, in the terminal, rather than with a kiosk window that cannot reach its
   * server. Without --config: the user's, else the system's file, else the defaults. */
  if (self->config == NULL || config_path != NULL)
    {
      g_autoptr(EkConfig) config = NULL;
      g_autoptr(GError) error = NULL;

      config = ek_config_load (config_path, &error);
      if (config == NULL)
        {
          g_printerr ("%s\n", error->message);
          return self_check ? EK_SELF_CHECK_EXIT_NOT_RUN : EXIT_FAILURE;
        }

      ek_application_set_config (self, config);
      apply_language (config);
    }

  /* The device check needs no window: it runs here and the program ends. */
  if (self_check)
    {
      const char *json_path = NULL;
      const char *html_path = NULL;
      const char *server_url = NULL;

      g_variant_dict_lookup (options, "json", "^&ay", &json_path);
      g_variant_dict_lookup (options, "html", "^&ay", &html_path);
      g_variant_dict_lookup (options, "server", "&s", &server_url);
      return ek_self_check_cli_run (self->config, json_path, html_path, server_url);
    }

  if (g_variant_dict_contains (options, "practice"))
    ek_application_set_initial_mode (self, "practice");

  return G_APPLICATION_CLASS (ek_application_parent_class)->handle_local_options (app, options);
}

static void
ek_application_startup (GApplication *app)
{
  EkApplication *self = EK_APPLICATION (app);

  G_APPLICATION_CLASS (ek_application_parent_class)->startup (app);

  ek_a11y_init ();
  self->css_provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (self->css_provider,
                                       "/io/github/examkiosk/Kiosk/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (self->css_provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

#ifdef EK_ENABLE_TEST_HOOKS
  ek_test_hooks_install (self);
#endif
}

static void
ek_application_shutdown (GApplication *app)
{
  EkApplication *self = EK_APPLICATION (app);

  if (self->css_provider != NULL)
    {
      gtk_style_context_remove_provider_for_display (gdk_display_get_default (),
                                                     GTK_STYLE_PROVIDER (self->css_provider));
      g_clear_object (&self->css_provider);
    }

  G_APPLICATION_CLASS (ek_application_parent_class)->shutdown (app);
}

static void
ek_application_activate (GApplication *app)
{
  EkApplication *self = EK_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
#ifdef EK_ENABLE_TEST_HOOKS
  if (window == NULL && self->lockdown_test != NULL)
    {
      g_autoptr(GError) error = NULL;

      window = ek_lockdown_test_window_new (GTK_APPLICATION (app), self->lockdown_test, &error);
      if (window == NULL)
        {
          g_printerr ("%s: %s\n", self->lockdown_test, error->message);
          g_application_quit (app);
          return;
        }
    }
#endif
  if (window == NULL)
    {
      window = GTK_WINDOW (ek_window_new (self));

      /* A formal or mock exam asked for under Wayland: the start page instead, which
       * says how to log in to the exam session. */
      if (self->initial_mode != NULL &&
          (g_str_equal (self->initial_mode, "formal") || g_str_equal (self->initial_mode, "mock")) &&
          ek_session_notice_is_wayland ())
        g_printerr ("%s\n", ek_session_type_get_refusal ());
      else if (self->initial_mode != NULL)
        gtk_widget_activate_action (GTK_WIDGET (window), "win.start-mode", "s",
                                    self->initial_mode);
    }

  gtk_window_present (window);
}

static void
ek_application_finalize (GObject *object)
{
  EkApplication *self = EK_APPLICATION (object);

  g_clear_object (&self->config);
  g_clear_pointer (&self->initial_mode, g_free);
  g_clear_pointer (&self->lockdown_test, g_free);
  g_clear_object (&self->css_provider);

  G_OBJECT_CLASS (ek_application_parent_class)->finalize (object);
}

static void
ek_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  EkApplication *self = EK_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;

    case PROP_INITIAL_MODE:
      g_value_set_string (value, self->initial_mode);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  EkApplication *self = EK_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      ek_application_set_config (self, g_value_get_object (value));
      break;

    case PROP_INITIAL_MODE:
      ek_application_set_initial_mode (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_application_class_init (EkApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ek_application_finalize;
  object_class->get_property = ek_application_get_property;
  object_class->set_property = ek_application_set_property;

  app_class->handle_local_options = ek_application_handle_local_options;
  app_class->startup = ek_application_startup;
  app_class->shutdown = ek_application_shutdown;
  app_class->activate = ek_application_activate;

  /**
   * EkApplication:config:
   *
   * The configuration: from `--config FILE`, else the user's or the system's file, else
   * the defaults. Loaded when the command line is handled, unless set before.
   */
  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL,
                         EK_TYPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EkApplication:initial-mode:
   *
   * The mode the first window starts in, as for the `win.start-mode` action ("formal",
   * "mock", "practice", "device-check"), or %NULL for the start page.
   */
  properties[PROP_INITIAL_MODE] =
    g_param_spec_string ("initial-mode", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Before any window class: their templates are in these resources. */
  ek_register_resource ();
}

static void
ek_application_init (EkApplication *self)
{
  GApplication *app = G_APPLICATION (self);

  g_application_add_main_option_entries (app, option_entries);
#ifdef EK_ENABLE_TEST_HOOKS
  g_application_add_main_option_entries (app, test_option_entries);
#endif
  g_application_set_option_context_summary (app,
    _("Sit remote interviews and certification exams on this computer."));
  g_application_set_option_context_description (app,
    _("Without options, the start screen opens. Ask your exam organiser for the exam token "
      "and, if needed, a configuration file.\n"
      "\n"
      "Exit status of --self-check:\n"
      "  0  every check passed or only warned: the computer is ready\n"
      "  1  at least one check failed: the computer is not ready\n"
      "  2  the check could not run (a mistake in the configuration, an unusable --server "
      "address, a report that could not be written, or it was interrupted)"));
}

/**
 * ek_application_new:
 *
 * Returns: (transfer full): a new #EkApplication
 */
EkApplication *
ek_application_new (void)
{
  return g_object_new (EK_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       NULL);
}

/**
 * ek_application_get_config:
 * @self: an #EkApplication
 *
 * Returns: (transfer none) (nullable): the configuration, once the command line is handled
 */
EkConfig *
ek_application_get_config (EkApplication *self)
{
  g_return_val_if_fail (EK_IS_APPLICATION (self), NULL);

  return self->config;
}

void
ek_application_set_config (EkApplication *self,
                           EkConfig      *config)
{
  g_return_if_fail (EK_IS_APPLICATION (self));
  g_return_if_fail (config == NULL || EK_IS_CONFIG (config));

  if (g_set_object (&self->config, config))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
}

/**
 * ek_application_get_initial_mode:
 * @self: an #EkApplication
 *
 * Returns: (nullable): the mode the first window starts in
 */
const char *
ek_application_get_initial_mode (EkApplication *self)
{
  g_return_val_if_fail (EK_IS_APPLICATION (self), NULL);

  return self->initial_mode;
}

void
ek_application_set_initial_mode (EkApplication *self,
                                 const char    *initial_mode)
{
  g_return_if_fail (EK_IS_APPLICATION (self));

  if (g_strcmp0 (self->initial_mode, initial_mode) == 0)
    return;

  g_free (self->initial_mode);
  self->initial_mode = g_strdup (initial_mode);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INITIAL_MODE]);
}
