# The project's JupyterLab (`make lab`: JUPYTER_CONFIG_PATH names this folder, so a user's own
# ~/.jupyter settings still load). Read by jupyter_server with `c` and `__file__` defined.
import os

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # noqa: F821 - set by the loader

# the project's root in the file browser: notebooks/, parameters/ and outputs/ all reachable
c.ServerApp.root_dir = _ROOT  # noqa: F821 - `c` is the loader's config object
# only the project's kernel (its Python, its modules): a notebook cannot run on another Python
c.KernelSpecManager.allowed_kernelspecs = {"foi-briefing"}  # noqa: F821
c.MappingKernelManager.default_kernel_name = "foi-briefing"  # noqa: F821
# the notebooks handle personal data: kernels talk over socket files in Jupyter's private runtime
# folder, not localhost TCP (the kernelspec's provisioner does the same for papermill)
c.KernelManager.transport = "ipc"  # noqa: F821
# nothing fetched from the internet by JupyterLab itself (a force's machine may not reach it, and
# should not be told who runs what): no news feed, no update check, no extension catalogue
c.LabApp.news_url = None  # noqa: F821
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"  # noqa: F821
c.LabApp.extension_manager = "readonly"  # noqa: F821
# JupyterLab's default settings for the project (lab-settings/overrides.json; a user's own
# settings still win): a notebook starts the one kernel there is without asking, and no news or
# update check is offered
c.LabApp.app_settings_dir = os.path.join(_ROOT, "jupyter_config", "lab-settings")  # noqa: F821
