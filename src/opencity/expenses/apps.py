from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    name = "opencity.expenses"
    label = "expenses"
