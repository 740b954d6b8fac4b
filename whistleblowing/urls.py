app_name = "whistleblowing"

urlpatterns = []
