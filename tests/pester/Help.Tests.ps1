# Every exported cmdlet has complete help (compiled from docs/en-US by the build), and every example parses.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $module = Import-Module $ModulePath -Force -PassThru
    $cmdlets = @(Get-Command -Module $module.Name -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module $ModulePath -Force
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters + 'ProgressAction'
}

Describe 'Help of <Name>' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
    }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\w+-\w+\s*\[' # not the generated syntax stand-in
        ($help.Description.Text -join ' ').Length | Should -BeGreaterThan 80
    }

    It 'describes every parameter' {
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $documented = $help.parameters.parameter | Where-Object name -eq $parameter
            $documented | Should -Not -BeNullOrEmpty -Because "-$parameter must be documented"
            ($documented.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description"
        }
    }

    It 'has at least two examples, one piping from an Az cmdlet (or another LogicAppAuth cmdlet) and one ending in Export-Csv or ConvertTo-Json' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        $code = $examples.code -join "`n"
        $code | Should -Match '(Get-Az\w+|Get-Logic\w+|Test-Logic\w+)[^|\n]*\|'
        $code | Should -Match 'Export-Csv|ConvertTo-Json'
    }

    It 'has examples that parse' {
        foreach ($example in $help.examples.example) {
            $errors = $null
            [System.Management.Automation.Language.Parser]::ParseInput(($example.code -join "`n"), [ref] $null, [ref] $errors) | Out-Null
            $errors | Should -BeNullOrEmpty -Because "example '$($example.title)' must parse"
        }
    }

    It 'documents its output type' {
        $outputs = $help.returnValues.returnValue.type.name -join ' '
        foreach ($type in $command.OutputType.Name | Where-Object { $_ -ne 'System.Void' }) {
            $outputs | Should -Match ([regex]::Escape($type))
        }
    }
}

Describe 'about_LogicAppAuth' {
    It 'is installed with the module' {
        $about = Get-Help about_LogicAppAuth
        "$about" | Should -Match 'managed identity'
    }
}
